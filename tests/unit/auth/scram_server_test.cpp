#include <gtest/gtest.h>

#include <string>

#include "auth/scram.hpp"
#include "auth/verifier.hpp"
#include "rfc7677.hpp"

namespace {

using airlock::auth::ScramClient;
using airlock::auth::ScramServer;
using airlock::auth::ScramVerifier;

ScramVerifier rfc_verifier() {
  auto v = airlock::auth::parse_verifier(rfc7677::kVerifier);
  EXPECT_TRUE(v);
  return v.value_or(ScramVerifier{});
}

ScramServer rfc_server() {
  return ScramServer(rfc_verifier(), std::string(rfc7677::kServerNonce));
}

TEST(ScramServer, ReplaysRfc7677) {
  ScramServer server = rfc_server();
  const auto first = server.on_client_first(rfc7677::kClientFirst);
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(*first, rfc7677::kServerFirst);
  const auto final_msg = server.on_client_final(rfc7677::kClientFinal);
  ASSERT_TRUE(final_msg) << final_msg.error().detail;
  EXPECT_EQ(*final_msg, rfc7677::kServerFinal);
}

TEST(ScramServer, RandomServerNonceFollowsClientNonce) {
  ScramServer a(rfc_verifier());
  ScramServer b(rfc_verifier());
  const auto fa = a.on_client_first("n,,n=,r=abc");
  const auto fb = b.on_client_first("n,,n=,r=abc");
  ASSERT_TRUE(fa && fb);
  EXPECT_TRUE(fa->starts_with("r=abc"));
  EXPECT_NE(*fa, *fb);
  // 18 random bytes, base64: 24 characters between the client nonce and ",s=".
  EXPECT_EQ(fa->find(",s="), 2 + 3 + 24u);
}

TEST(ScramServer, WrongPasswordFailsWith28P01) {
  ScramServer server(airlock::auth::make_verifier("right", "saltsaltsaltsalt", 4096));
  ScramClient client("wrong");
  const auto first = server.on_client_first(client.client_first());
  ASSERT_TRUE(first);
  const auto client_final = client.on_server_first(*first);
  ASSERT_TRUE(client_final);
  const auto result = server.on_client_final(*client_final);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().sqlstate, "28P01");
  EXPECT_EQ(result.error().message, "password authentication failed for user");
}

TEST(ScramServer, MockVerifierFailsLikeWrongPassword) {
  for (const char* password : {"", "secret", "pencil"}) {
    ScramServer server(airlock::auth::mock_verifier("nobody", "process secret"));
    ScramClient client(password);
    const auto first = server.on_client_first(client.client_first());
    ASSERT_TRUE(first);
    const auto client_final = client.on_server_first(*first);
    ASSERT_TRUE(client_final);
    const auto result = server.on_client_final(*client_final);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().sqlstate, "28P01");
    EXPECT_EQ(result.error().message, "password authentication failed for user");
  }
}

TEST(ScramServer, YFlagRequiresMatchingChannelBinding) {
  const std::string nonce = std::string(rfc7677::kClientNonce) + std::string(rfc7677::kServerNonce);
  const std::string proof = ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  {
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.on_client_first("y,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
    const auto r = server.on_client_final("c=biws,r=" + nonce + proof);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "08P01");
  }
  {
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.on_client_first("y,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
    // Syntactically right; the RFC proof was computed for "c=biws", so the proof fails.
    const auto r = server.on_client_final("c=eSws,r=" + nonce + proof);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "28P01");
  }
}

TEST(ScramServer, RefusesCallsOutOfOrder) {
  {
    ScramServer server = rfc_server();
    const auto r = server.on_client_final(rfc7677::kClientFinal);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "08P01");
  }
  {
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.on_client_first(rfc7677::kClientFirst));
    const auto r = server.on_client_first(rfc7677::kClientFirst);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "08P01");
    // The exchange is dead after any error.
    EXPECT_FALSE(server.on_client_final(rfc7677::kClientFinal));
  }
  {
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.on_client_first(rfc7677::kClientFirst));
    ASSERT_TRUE(server.on_client_final(rfc7677::kClientFinal));
    const auto r = server.on_client_final(rfc7677::kClientFinal);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "08P01");
  }
  {
    ScramServer server = rfc_server();
    ASSERT_FALSE(server.on_client_first("garbage"));
    const auto r = server.on_client_first(rfc7677::kClientFirst);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, "08P01");
  }
  {
    // A wrong proof leaves no second attempt.
    ScramServer server = rfc_server();
    ASSERT_TRUE(server.on_client_first(rfc7677::kClientFirst));
    const std::string bad = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                            "p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    EXPECT_EQ(server.on_client_final(bad).error().sqlstate, "28P01");
    EXPECT_EQ(server.on_client_final(rfc7677::kClientFinal).error().sqlstate, "08P01");
  }
}

// Data-driven: one message at the given step; "" means accepted.
struct MessageCase {
  const char* name;
  std::string input;
  const char* sqlstate;
};

std::string case_name(const ::testing::TestParamInfo<MessageCase>& p) { return p.param.name; }

class ClientFirstTable : public ::testing::TestWithParam<MessageCase> {};

TEST_P(ClientFirstTable, Outcome) {
  ScramServer server = rfc_server();
  const auto r = server.on_client_first(GetParam().input);
  if (std::string(GetParam().sqlstate).empty()) {
    EXPECT_TRUE(r) << r.error().detail;
  } else {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, GetParam().sqlstate) << r.error().detail;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ClientFirstTable,
    ::testing::Values(
        MessageCase{"plain", "n,,n=,r=abc", ""},
        MessageCase{"y_flag", "y,,n=,r=abc", ""},
        MessageCase{"username_ignored", "n,,n=someone=2Celse,r=abc", ""},
        MessageCase{"optional_extension_ignored", "n,,n=,r=abc,x=ext", ""},
        MessageCase{"empty", "", "08P01"},
        MessageCase{"nul_byte", std::string("n,,n=,r=a\0c", 11), "08P01"},
        MessageCase{"channel_binding_p", "p=tls-server-end-point,,n=,r=abc", "08P01"},
        MessageCase{"unknown_flag", "x,,n=,r=abc", "08P01"},
        MessageCase{"flag_only", "n", "08P01"},
        MessageCase{"no_comma_after_flag", "nn=,r=abc", "08P01"},
        MessageCase{"one_comma", "n,n=,r=abc", "08P01"},
        MessageCase{"authzid", "n,a=admin,n=,r=abc", "0A000"},
        MessageCase{"gs2_header_only", "n,,", "08P01"},
        MessageCase{"mandatory_extension", "n,,m=ext,n=,r=abc", "0A000"},
        MessageCase{"missing_username", "n,,r=abc", "08P01"},
        MessageCase{"missing_nonce", "n,,n=", "08P01"},
        MessageCase{"swapped_attributes", "n,,r=abc,n=", "08P01"},
        MessageCase{"empty_nonce", "n,,n=,r=", "08P01"},
        MessageCase{"nonce_with_space", "n,,n=,r=a c", "08P01"},
        MessageCase{"nonce_non_ascii", "n,,n=,r=ab\xC3\xA9", "08P01"},
        MessageCase{"nonce_control_char", "n,,n=,r=ab\x7F", "08P01"},
        MessageCase{"trailing_comma", "n,,n=,r=abc,", "08P01"},
        MessageCase{"attribute_without_value", "n,,n=,r=abc,x", "08P01"},
        MessageCase{"non_letter_attribute", "n,,n=,r=abc,1=x", "08P01"}),
    case_name);

class ClientFinalTable : public ::testing::TestWithParam<MessageCase> {};

TEST_P(ClientFinalTable, Outcome) {
  ScramServer server = rfc_server();
  ASSERT_TRUE(server.on_client_first(rfc7677::kClientFirst));
  const auto r = server.on_client_final(GetParam().input);
  if (std::string(GetParam().sqlstate).empty()) {
    EXPECT_TRUE(r) << r.error().detail;
  } else {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sqlstate, GetParam().sqlstate) << r.error().detail;
  }
}

#define NONCE "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define PROOF "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="

INSTANTIATE_TEST_SUITE_P(
    Cases, ClientFinalTable,
    ::testing::Values(
        MessageCase{"rfc_exchange", "c=biws,r=" NONCE ",p=" PROOF, ""},
        MessageCase{"empty", "", "08P01"},
        MessageCase{"nul_byte", std::string("c=biws,r=" NONCE ",p=" PROOF) + '\0', "08P01"},
        MessageCase{"cbind_y_after_n", "c=eSws,r=" NONCE ",p=" PROOF, "08P01"},
        MessageCase{"cbind_data", "c=cD10bHMtdW5pcXVlLCw=,r=" NONCE ",p=" PROOF, "08P01"},
        MessageCase{"missing_cbind", "r=" NONCE ",p=" PROOF, "08P01"},
        MessageCase{"client_nonce_only", "c=biws,r=rOprNGfwEbeRWgbNEkqO,p=" PROOF, "08P01"},
        MessageCase{"nonce_extended", "c=biws,r=" NONCE "x,p=" PROOF, "08P01"},
        MessageCase{"missing_nonce", "c=biws,p=" PROOF, "08P01"},
        MessageCase{"missing_proof", "c=biws,r=" NONCE, "08P01"},
        MessageCase{"empty_proof", "c=biws,r=" NONCE ",p=", "08P01"},
        MessageCase{"proof_bad_base64", "c=biws,r=" NONCE ",p=!!!!", "08P01"},
        MessageCase{"proof_16_bytes", "c=biws,r=" NONCE ",p=AAAAAAAAAAAAAAAAAAAAAA==", "08P01"},
        MessageCase{"proof_33_bytes",
                    "c=biws,r=" NONCE ",p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "08P01"},
        MessageCase{"garbage_after_proof", "c=biws,r=" NONCE ",p=" PROOF ",x=1", "08P01"},
        MessageCase{"two_proofs", "c=biws,r=" NONCE ",p=" PROOF ",p=" PROOF, "08P01"},
        MessageCase{"trailing_comma", "c=biws,r=" NONCE ",p=" PROOF ",", "08P01"},
        MessageCase{"wrong_proof",
                    "c=biws,r=" NONCE ",p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "28P01"},
        // Extensions are part of the signed message, so the RFC proof no longer matches.
        MessageCase{"extension_before_proof", "c=biws,r=" NONCE ",x=1,p=" PROOF, "28P01"}),
    case_name);

#undef NONCE
#undef PROOF

}  // namespace
