#include "auth/verifier.hpp"

#include <gtest/gtest.h>

#include <string>

#include "auth/scram.hpp"
#include "rfc7677.hpp"

namespace {

using airlock::auth::format_verifier;
using airlock::auth::make_verifier;
using airlock::auth::parse_verifier;
using airlock::auth::ScramVerifier;

// Made by PostgreSQL 15 itself: SET password_encryption = 'scram-sha-256';
// CREATE ROLE alice LOGIN PASSWORD 'secret'; SELECT rolpassword FROM pg_authid ...
constexpr std::string_view kPostgresSecret =
    "SCRAM-SHA-256$4096:vwma6b/TkfIKFScQLs2H5Q==$MW/jiumWdzjj9BDxNEq9hFdfpav4vXODmaeOrITQcVA=:"
    "vrJJqpzqWqYfbBqApH8qm73BOpYDA8fsznwQJlI8p3Q=";

TEST(Verifier, ParsesAndReformatsPostgresVerifier) {
  const auto v = parse_verifier(kPostgresSecret);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->iterations, 4096);
  EXPECT_EQ(v->salt.size(), 16u);
  EXPECT_EQ(v->stored_key.size(), 32u);
  EXPECT_EQ(v->server_key.size(), 32u);
  EXPECT_EQ(format_verifier(*v), kPostgresSecret);
}

TEST(Verifier, MakeVerifierReproducesPostgres) {
  const auto pg = parse_verifier(kPostgresSecret);
  ASSERT_TRUE(pg);
  const ScramVerifier mine = make_verifier("secret", pg->salt, pg->iterations);
  EXPECT_EQ(format_verifier(mine), kPostgresSecret);
  EXPECT_NE(format_verifier(make_verifier("Secret", pg->salt, pg->iterations)), kPostgresSecret);
}

TEST(Verifier, MakeVerifierMatchesRfc7677) {
  const auto salt = airlock::auth::base64_decode(rfc7677::kSaltB64);
  ASSERT_TRUE(salt);
  EXPECT_EQ(format_verifier(make_verifier(rfc7677::kPassword, *salt, rfc7677::kIterations)),
            rfc7677::kVerifier);
}

TEST(Verifier, FormatParseRoundTrip) {
  const ScramVerifier v = make_verifier("pa$$:word", std::string("\0\x01\xfe\xff", 4), 1);
  const auto back = parse_verifier(format_verifier(v));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->iterations, 1);
  EXPECT_EQ(back->salt, v.salt);
  EXPECT_EQ(back->stored_key, v.stored_key);
  EXPECT_EQ(back->server_key, v.server_key);
}

struct BadVerifier {
  const char* name;
  std::string text;
};

class MalformedVerifier : public ::testing::TestWithParam<BadVerifier> {};

TEST_P(MalformedVerifier, IsRejected) { EXPECT_FALSE(parse_verifier(GetParam().text)); }

constexpr const char* kKeys =
    "$MW/jiumWdzjj9BDxNEq9hFdfpav4vXODmaeOrITQcVA=:vrJJqpzqWqYfbBqApH8qm73BOpYDA8fsznwQJlI8p3Q=";
std::string with_params(const std::string& params) { return "SCRAM-SHA-256$" + params + kKeys; }

INSTANTIATE_TEST_SUITE_P(
    Cases, MalformedVerifier,
    ::testing::Values(
        BadVerifier{"empty", ""},
        BadVerifier{"md5_hash", "md5bb41a296aab6baccb36ff243a562abff"},
        BadVerifier{"plaintext", "secret"},
        BadVerifier{"wrong_mechanism",
                    std::string("SCRAM-SHA-1$4096:vwma6b/TkfIKFScQLs2H5Q==") + kKeys},
        BadVerifier{"lowercase_prefix",
                    std::string("scram-sha-256$4096:vwma6b/TkfIKFScQLs2H5Q==") + kKeys},
        BadVerifier{"zero_iterations", with_params("0:vwma6b/TkfIKFScQLs2H5Q==")},
        BadVerifier{"negative_iterations", with_params("-1:vwma6b/TkfIKFScQLs2H5Q==")},
        BadVerifier{"plus_iterations", with_params("+4096:vwma6b/TkfIKFScQLs2H5Q==")},
        BadVerifier{"too_many_iterations", with_params("10000001:vwma6b/TkfIKFScQLs2H5Q==")},
        BadVerifier{"overflow_iterations", with_params("99999999999:vwma6b/TkfIKFScQLs2H5Q==")},
        BadVerifier{"iterations_not_numeric", with_params("4k:vwma6b/TkfIKFScQLs2H5Q==")},
        BadVerifier{"iterations_space", with_params(" 4096:vwma6b/TkfIKFScQLs2H5Q==")},
        BadVerifier{"missing_iterations", with_params(":vwma6b/TkfIKFScQLs2H5Q==")},
        BadVerifier{"empty_salt", with_params("4096:")},
        BadVerifier{"bad_salt_base64", with_params("4096:vwma6b/TkfIKFScQLs2H5Q=")},
        BadVerifier{"missing_colon", with_params("4096vwma6b/TkfIKFScQLs2H5Q==")},
        BadVerifier{"missing_keys", "SCRAM-SHA-256$4096:vwma6b/TkfIKFScQLs2H5Q=="},
        BadVerifier{"short_stored_key",
                    "SCRAM-SHA-256$4096:vwma6b/TkfIKFScQLs2H5Q==$AAAA:"
                    "vrJJqpzqWqYfbBqApH8qm73BOpYDA8fsznwQJlI8p3Q="},
        BadVerifier{"short_server_key",
                    "SCRAM-SHA-256$4096:vwma6b/TkfIKFScQLs2H5Q==$"
                    "MW/jiumWdzjj9BDxNEq9hFdfpav4vXODmaeOrITQcVA=:AAAA"},
        BadVerifier{"missing_server_key",
                    "SCRAM-SHA-256$4096:vwma6b/TkfIKFScQLs2H5Q==$"
                    "MW/jiumWdzjj9BDxNEq9hFdfpav4vXODmaeOrITQcVA="},
        BadVerifier{"trailing_garbage", std::string(kPostgresSecret) + "x"},
        BadVerifier{"extra_field", std::string(kPostgresSecret) + ":AAAA"},
        BadVerifier{"trailing_newline", std::string(kPostgresSecret) + "\n"}),
    [](const ::testing::TestParamInfo<BadVerifier>& p) { return std::string(p.param.name); });

TEST(MockVerifier, DeterministicPerUserAndSecret) {
  using airlock::auth::mock_verifier;
  const ScramVerifier a = mock_verifier("mallory", "process secret");
  const ScramVerifier b = mock_verifier("mallory", "process secret");
  EXPECT_EQ(format_verifier(a), format_verifier(b));
  EXPECT_NE(mock_verifier("eve", "process secret").salt, a.salt);
  EXPECT_NE(mock_verifier("mallory", "other secret").salt, a.salt);
  // Shaped like a verifier PostgreSQL creates, so the server-first message gives nothing away.
  EXPECT_EQ(a.salt.size(), 16u);
  EXPECT_EQ(a.iterations, 4096);
  EXPECT_EQ(a.stored_key.size(), 32u);
  EXPECT_EQ(a.server_key.size(), 32u);
  EXPECT_TRUE(parse_verifier(format_verifier(a)));
}

}  // namespace
