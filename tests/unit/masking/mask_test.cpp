// The value transform: each style in text and binary format, per type class. Rows are
// named after what they guarantee.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "masking/mask.hpp"

namespace airlock::masking {
namespace {

constexpr std::string_view kKey = "0123456789abcdef-test-key";

struct Case {
  const char* name;
  MaskStyle style;
  std::string value;
  std::int16_t format;
  std::uint32_t type_oid;
  std::optional<std::string> expected;  // nullopt: SQL NULL
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class MaskValue : public testing::TestWithParam<Case> {};

TEST_P(MaskValue, Table) {
  const Case& c = GetParam();
  EXPECT_EQ(mask_value(c.style, c.value, c.format, c.type_oid, kKey), c.expected);
}

const std::string kHash = keyed_hash(kKey, "alice@example.com");
const std::string kJsonbHash = keyed_hash(kKey, "{\"a\": 1}");

const Case kCases[] = {
    {"full_text", MaskStyle::Full, "alice@example.com", 0, oid::kText, "***"},
    {"full_varchar_binary_is_raw_text", MaskStyle::Full, "alice", 1, oid::kVarchar, "***"},
    {"full_bpchar", MaskStyle::Full, "ab  ", 0, oid::kBpchar, "***"},
    {"full_name_binary", MaskStyle::Full, "pg", 1, oid::kName, "***"},
    {"full_unknown_literal", MaskStyle::Full, "x", 0, oid::kUnknown, "***"},
    {"full_empty_string_still_masked", MaskStyle::Full, "", 0, oid::kText, "***"},
    {"partial_email_keeps_domain", MaskStyle::Partial, "alice@example.com", 0, oid::kText,
     "***@example.com"},
    {"partial_email_last_at", MaskStyle::Partial, "\"a@b\"@example.org", 1, oid::kText,
     "***@example.org"},
    {"partial_phone_last_four", MaskStyle::Partial, "+1 555 123 0101", 0, oid::kVarchar,
     "***0101"},
    {"partial_short_keeps_half", MaskStyle::Partial, "123456", 0, oid::kText, "***456"},
    {"partial_tiny_keeps_nothing", MaskStyle::Partial, "7", 0, oid::kText, "***"},
    {"partial_counts_characters_not_bytes", MaskStyle::Partial, "Zürich-Örtli", 0, oid::kText,
     "***rtli"},
    {"partial_multibyte_suffix_whole", MaskStyle::Partial, "ÄÖÜäöü", 0, oid::kText, "***äöü"},
    {"hash_text", MaskStyle::Hash, "alice@example.com", 0, oid::kText, kHash},
    {"hash_binary_text_equals_text_format", MaskStyle::Hash, "alice@example.com", 1,
     oid::kText, kHash},
    {"null_style_text", MaskStyle::Null, "alice", 0, oid::kText, std::nullopt},
    {"null_style_json", MaskStyle::Null, "{}", 0, oid::kJson, std::nullopt},
    {"json_full_is_json_string", MaskStyle::Full, "{\"email\": \"a@b\"}", 0, oid::kJson,
     "\"***\""},
    {"json_binary_is_text", MaskStyle::Full, "{\"email\": \"a@b\"}", 1, oid::kJson, "\"***\""},
    {"json_partial_is_full", MaskStyle::Partial, "{\"email\": \"a@b.c\"}", 0, oid::kJson,
     "\"***\""},
    {"jsonb_text_full", MaskStyle::Full, "{\"a\": 1}", 0, oid::kJsonb, "\"***\""},
    {"jsonb_binary_keeps_version_byte", MaskStyle::Full, std::string("\x01{\"a\": 1}"), 1,
     oid::kJsonb, std::string("\x01\"***\"")},
    {"jsonb_hash_same_in_both_formats", MaskStyle::Hash, std::string("\x01{\"a\": 1}"), 1,
     oid::kJsonb, std::string("\x01\"") + kJsonbHash + "\""},
    {"jsonb_hash_text", MaskStyle::Hash, "{\"a\": 1}", 0, oid::kJsonb, "\"" + kJsonbHash + "\""},
    {"jsonb_binary_unknown_version_is_null", MaskStyle::Full, std::string("\x02{}"), 1,
     oid::kJsonb, std::nullopt},
    {"jsonb_binary_empty_is_null", MaskStyle::Full, "", 1, oid::kJsonb, std::nullopt},
    {"user_type_text_styled", MaskStyle::Full, "gold", 0, 16400, "***"},
    {"user_type_binary_null", MaskStyle::Full, "gold", 1, 16400, std::nullopt},
    {"int4_text_null_not_stars", MaskStyle::Full, "42", 0, 23, std::nullopt},
    {"int8_binary_null", MaskStyle::Hash, std::string(8, '\0'), 1, 20, std::nullopt},
    {"record_whole_row_text_null", MaskStyle::Full, "(1,alice@example.com)", 0, 2249,
     std::nullopt},
    {"text_array_null", MaskStyle::Partial, "{a@b.c}", 0, 1009, std::nullopt},
    {"bytea_null", MaskStyle::Full, "\\x00", 0, 17, std::nullopt},
    {"type_not_described_is_null", MaskStyle::Full, "alice", 0, 0, std::nullopt},
    {"unknown_format_code_is_null", MaskStyle::Full, "alice", 2, oid::kText, std::nullopt},
};
INSTANTIATE_TEST_SUITE_P(Styles, MaskValue, testing::ValuesIn(kCases),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(KeyedHash, Rfc4231StyleVector) {
  // HMAC-SHA-256("key", "The quick brown fox jumps over the lazy dog") = f7bc83f4 30538424...
  EXPECT_EQ(keyed_hash("key", "The quick brown fox jumps over the lazy dog"), "f7bc83f430538424");
}

TEST(KeyedHash, StableAndKeyed) {
  EXPECT_EQ(keyed_hash(kKey, "x"), keyed_hash(kKey, "x"));
  EXPECT_NE(keyed_hash(kKey, "x"), keyed_hash(kKey, "y"));
  EXPECT_NE(keyed_hash(kKey, "x"), keyed_hash("another-key-0123456", "x"));
  EXPECT_EQ(keyed_hash(kKey, "").size(), 16u);
}

TEST(MaskValue, HashWithoutKeyIsNullNotUnkeyed) {
  EXPECT_EQ(mask_value(MaskStyle::Hash, "alice", 0, oid::kText, ""), std::nullopt);
  EXPECT_EQ(mask_value(MaskStyle::Hash, "{}", 0, oid::kJson, ""), std::nullopt);
}

TEST(MaskStyleWords, RoundTripAndStrictest) {
  for (MaskStyle s : {MaskStyle::Full, MaskStyle::Partial, MaskStyle::Hash, MaskStyle::Null})
    EXPECT_EQ(parse_mask_style(to_string(s)), s);
  EXPECT_EQ(parse_mask_style("redact"), std::nullopt);
  EXPECT_EQ(strictest(MaskStyle::Partial, MaskStyle::Partial), MaskStyle::Partial);
  EXPECT_EQ(strictest(MaskStyle::Partial, MaskStyle::Hash), MaskStyle::Full);
  EXPECT_EQ(strictest(MaskStyle::Hash, MaskStyle::Full), MaskStyle::Full);
  EXPECT_EQ(strictest(MaskStyle::Full, MaskStyle::Null), MaskStyle::Null);
  EXPECT_EQ(strictest(MaskStyle::Hash, MaskStyle::Null), MaskStyle::Null);
}

}  // namespace
}  // namespace airlock::masking
