#include <gtest/gtest.h>

#include <string>

#include "auth/scram.hpp"
#include "auth/verifier.hpp"
#include "rfc7677.hpp"

namespace {

using airlock::auth::ScramClient;
using airlock::auth::ScramServer;

ScramClient rfc_client() {
  return ScramClient(std::string(rfc7677::kPassword), std::string(rfc7677::kClientNonce),
                     std::string(rfc7677::kUser));
}

TEST(ScramClient, ReplaysRfc7677) {
  ScramClient client = rfc_client();
  EXPECT_EQ(client.client_first(), rfc7677::kClientFirst);
  const auto final_msg = client.on_server_first(rfc7677::kServerFirst);
  ASSERT_TRUE(final_msg) << final_msg.error().detail;
  EXPECT_EQ(*final_msg, rfc7677::kClientFinal);
  const auto done = client.on_server_final(rfc7677::kServerFinal);
  EXPECT_TRUE(done) << done.error().detail;
}

TEST(ScramClient, ClientFirstLikeLibpq) {
  ScramClient client("pw");
  const std::string first = client.client_first();
  ASSERT_TRUE(first.starts_with("n,,n=,r="));
  const std::string nonce = first.substr(8);
  EXPECT_EQ(nonce.size(), 32u);  // 24 random bytes, base64
  EXPECT_TRUE(airlock::auth::base64_decode(nonce));
  EXPECT_NE(ScramClient("pw").client_first(), first);
}

TEST(ScramClient, EscapesSaslUserInTestSeam) {
  ScramClient client("pw", "abc", "a,b=c");
  EXPECT_EQ(client.client_first(), "n,,n=a=2Cb=3Dc,r=abc");
}

TEST(ScramClient, RoundTripWithServer) {
  for (const char* password : {"s3cret", "", "p\xC3\xA4ssw\xC3\xB6rd", "with,comma=and$"}) {
    ScramServer server(airlock::auth::make_verifier(
        password, airlock::auth::random_bytes(16), 4096));
    ScramClient client(password);
    const auto server_first = server.on_client_first(client.client_first());
    ASSERT_TRUE(server_first) << server_first.error().detail;
    const auto client_final = client.on_server_first(*server_first);
    ASSERT_TRUE(client_final) << client_final.error().detail;
    const auto server_final = server.on_client_final(*client_final);
    ASSERT_TRUE(server_final) << server_final.error().detail;
    const auto done = client.on_server_final(*server_final);
    EXPECT_TRUE(done) << done.error().detail;
  }
}

TEST(ScramClient, RejectsWrongServerSignature) {
  // A server that does not know the verifier cannot sign the exchange.
  ScramClient client = rfc_client();
  client.client_first();
  ASSERT_TRUE(client.on_server_first(rfc7677::kServerFirst));
  const auto r = client.on_server_final("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sqlstate, "08P01");
}

TEST(ScramClient, ServerErrorIsFailure) {
  ScramClient client = rfc_client();
  client.client_first();
  ASSERT_TRUE(client.on_server_first(rfc7677::kServerFirst));
  const auto r = client.on_server_final("e=invalid-proof");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sqlstate, "28P01");
  EXPECT_NE(r.error().detail.find("invalid-proof"), std::string::npos);
}

TEST(ScramClient, RefusesCallsOutOfOrder) {
  {
    ScramClient client = rfc_client();
    const auto r = client.on_server_first(rfc7677::kServerFirst);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "08P01");
  }
  {
    ScramClient client = rfc_client();
    client.client_first();
    const auto r = client.on_server_final(rfc7677::kServerFinal);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "08P01");
  }
  {
    ScramClient client = rfc_client();
    client.client_first();
    ASSERT_TRUE(client.on_server_first(rfc7677::kServerFirst));
    EXPECT_FALSE(client.on_server_first(rfc7677::kServerFirst));
    EXPECT_FALSE(client.on_server_final(rfc7677::kServerFinal));  // exchange is dead
  }
  {
    ScramClient client = rfc_client();
    client.client_first();
    ASSERT_TRUE(client.on_server_first(rfc7677::kServerFirst));
    ASSERT_TRUE(client.on_server_final(rfc7677::kServerFinal));
    EXPECT_FALSE(client.on_server_final(rfc7677::kServerFinal));
  }
}

struct MessageCase {
  const char* name;
  std::string input;
  const char* sqlstate;  // "" = accepted
};

std::string case_name(const ::testing::TestParamInfo<MessageCase>& p) { return p.param.name; }

class ServerFirstTable : public ::testing::TestWithParam<MessageCase> {};

TEST_P(ServerFirstTable, Outcome) {
  ScramClient client = rfc_client();
  client.client_first();
  const auto r = client.on_server_first(GetParam().input);
  if (std::string(GetParam().sqlstate).empty()) {
    EXPECT_TRUE(r) << r.error().detail;
  } else {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, GetParam().sqlstate) << r.error().detail;
  }
}

#define CNONCE "rOprNGfwEbeRWgbNEkqO"
#define SALT ",s=W22ZaJ0SNY7soEsUEjb6gQ=="

INSTANTIATE_TEST_SUITE_P(
    Cases, ServerFirstTable,
    ::testing::Values(
        MessageCase{"rfc", std::string(rfc7677::kServerFirst), ""},
        MessageCase{"one_iteration", "r=" CNONCE "xyz" SALT ",i=1", ""},
        MessageCase{"empty", "", "08P01"},
        MessageCase{"nul_byte", std::string("r=" CNONCE "x" SALT ",i=1") + '\0', "08P01"},
        MessageCase{"foreign_nonce", "r=somethingelse" SALT ",i=4096", "08P01"},
        MessageCase{"nonce_without_server_part", "r=" CNONCE SALT ",i=4096", "08P01"},
        MessageCase{"truncated_nonce", "r=rOprNGfwEbeRWgbNEkq" SALT ",i=4096", "08P01"},
        MessageCase{"nonce_with_space", "r=" CNONCE "a b" SALT ",i=4096", "08P01"},
        MessageCase{"zero_iterations", "r=" CNONCE "x" SALT ",i=0", "08P01"},
        MessageCase{"negative_iterations", "r=" CNONCE "x" SALT ",i=-1", "08P01"},
        MessageCase{"too_many_iterations", "r=" CNONCE "x" SALT ",i=1000001", "08P01"},
        MessageCase{"overflow_iterations", "r=" CNONCE "x" SALT ",i=4294967297", "08P01"},
        MessageCase{"hex_iterations", "r=" CNONCE "x" SALT ",i=0x10", "08P01"},
        MessageCase{"empty_iterations", "r=" CNONCE "x" SALT ",i=", "08P01"},
        MessageCase{"missing_iterations", "r=" CNONCE "x" SALT, "08P01"},
        MessageCase{"empty_salt", "r=" CNONCE "x,s=,i=4096", "08P01"},
        MessageCase{"bad_salt", "r=" CNONCE "x,s=W22ZaJ0SNY7soEsUEjb6gQ=,i=4096", "08P01"},
        MessageCase{"swapped", "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=" CNONCE "x,i=4096", "08P01"},
        MessageCase{"trailing_attribute", "r=" CNONCE "x" SALT ",i=4096,x=1", "08P01"},
        MessageCase{"trailing_comma", "r=" CNONCE "x" SALT ",i=4096,", "08P01"},
        MessageCase{"mandatory_extension", "m=ext,r=" CNONCE "x" SALT ",i=4096", "0A000"},
        MessageCase{"server_error_attribute", "e=other-error", "08P01"}),
    case_name);

#undef CNONCE
#undef SALT

class ServerFinalTable : public ::testing::TestWithParam<MessageCase> {};

TEST_P(ServerFinalTable, Outcome) {
  ScramClient client = rfc_client();
  client.client_first();
  ASSERT_TRUE(client.on_server_first(rfc7677::kServerFirst));
  const auto r = client.on_server_final(GetParam().input);
  if (std::string(GetParam().sqlstate).empty()) {
    EXPECT_TRUE(r) << r.error().detail;
  } else {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, GetParam().sqlstate) << r.error().detail;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ServerFinalTable,
    ::testing::Values(
        MessageCase{"rfc", std::string(rfc7677::kServerFinal), ""},
        MessageCase{"empty", "", "08P01"},
        MessageCase{"empty_signature", "v=", "08P01"},
        MessageCase{"bad_base64", "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4", "08P01"},
        MessageCase{"short_signature", "v=6rriTRBi23WpRR/wtup+mA==", "08P01"},
        MessageCase{"trailing_attribute", std::string(rfc7677::kServerFinal) + ",x=1", "08P01"},
        MessageCase{"unknown_attribute", "x=1", "08P01"},
        MessageCase{"server_error", "e=invalid-proof", "28P01"},
        MessageCase{"server_error_other", "e=other-error", "28P01"}),
    case_name);

}  // namespace
