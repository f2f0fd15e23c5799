#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "auth/crypto.hpp"
#include "auth/scram.hpp"

namespace {

using airlock::auth::base64_decode;
using airlock::auth::base64_encode;

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(std::string("\0\xff", 2)), "AP8=");
}

TEST(Base64, RoundTripsEveryLength) {
  std::string raw;
  for (int i = 0; i < 70; ++i) {
    raw.push_back(static_cast<char>(i * 37));
    EXPECT_EQ(base64_decode(base64_encode(raw)), raw) << "length " << raw.size();
  }
}

struct DecodeCase {
  const char* name;
  std::string text;
  std::optional<std::string> raw;
};

class Base64Decode : public ::testing::TestWithParam<DecodeCase> {};

TEST_P(Base64Decode, Strict) { EXPECT_EQ(base64_decode(GetParam().text), GetParam().raw); }

INSTANTIATE_TEST_SUITE_P(
    Cases, Base64Decode,
    ::testing::Values(DecodeCase{"empty", "", std::string{}},
                      DecodeCase{"one_pad", "Zm8=", std::string("fo")},
                      DecodeCase{"two_pad", "Zg==", std::string("f")},
                      DecodeCase{"no_pad", "Zm9v", std::string("foo")},
                      DecodeCase{"missing_pad", "Zg", std::nullopt},
                      DecodeCase{"bad_length", "Zm9vY", std::nullopt},
                      DecodeCase{"pad_in_middle", "Zg==Zm9v", std::nullopt},
                      DecodeCase{"three_pad", "Z===", std::nullopt},
                      DecodeCase{"pad_then_char", "Zm=v", std::nullopt},
                      DecodeCase{"bad_char", "Zm9*", std::nullopt},
                      DecodeCase{"url_alphabet", "Zm-_", std::nullopt},
                      DecodeCase{"whitespace", "Zm9v\n", std::nullopt},
                      DecodeCase{"leading_space", " Zm8", std::nullopt},
                      DecodeCase{"nul", std::string("Zm\0v", 4), std::nullopt},
                      DecodeCase{"non_canonical_bits", "Zh==", std::nullopt},
                      DecodeCase{"non_canonical_bits_one_pad", "Zm9=", std::nullopt},
                      DecodeCase{"only_padding", "====", std::nullopt}),
    [](const ::testing::TestParamInfo<DecodeCase>& p) { return std::string(p.param.name); });

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  using airlock::auth::constant_time_equal;
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("", "x"));
}

TEST(RandomBytes, SizeAndVariety) {
  using airlock::auth::random_bytes;
  EXPECT_TRUE(random_bytes(0).empty());
  const std::string a = random_bytes(32);
  const std::string b = random_bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

TEST(Md5PasswordResponse, MatchesHandComputedValue) {
  // Python: "md5" + md5(md5(b"secret" + b"postgres").hexdigest().encode() + b"\1\2\3\4")
  const std::string salt("\x01\x02\x03\x04", 4);
  EXPECT_EQ(airlock::auth::md5_password_response("postgres", "secret", salt),
            "md5bb41a296aab6baccb36ff243a562abff");
}

TEST(Md5PasswordResponse, SaltMatters) {
  const std::string r1 = airlock::auth::md5_password_response("u", "p", std::string(4, '\0'));
  const std::string r2 = airlock::auth::md5_password_response("u", "p", "abcd");
  EXPECT_EQ(r1.size(), 35u);
  EXPECT_NE(r1, r2);
}

TEST(Primitives, KnownAnswers) {
  using airlock::auth::base64_encode;
  // RFC 4231 test case 2.
  EXPECT_EQ(base64_encode(airlock::auth::hmac_sha256("Jefe", "what do ya want for nothing?")),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
  // FIPS 180-2 "abc".
  EXPECT_EQ(base64_encode(airlock::auth::sha256("abc")),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  // Empty key and data must work (an empty process secret reaches mock_verifier);
  // value from Python hmac.new(b"", b"", "sha256").
  EXPECT_EQ(base64_encode(airlock::auth::hmac_sha256("", "")),
            "thNnmggU2ex3L5XXeMNfxf8Wl8STcVZTxscSFEKSxa0=");
}

}  // namespace
