#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

struct Case {
  const char* name;
  std::string bytes;
  bool valid;
};

class Utf8Table : public ::testing::TestWithParam<Case> {};

TEST_P(Utf8Table, Classifies) {
  EXPECT_EQ(airlock::valid_utf8(GetParam().bytes), GetParam().valid) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Utf8Table,
    ::testing::Values(Case{"ascii", "SELECT 1", true}, Case{"empty", "", true},
                      Case{"two_byte", "caf\xC3\xA9", true},
                      Case{"three_byte", "\xE2\x82\xAC", true},
                      Case{"four_byte", "\xF0\x9F\x98\x80", true},
                      Case{"nul_byte", std::string("a\0b", 3), false},
                      Case{"overlong_slash", "\xC0\xAF", false},
                      Case{"overlong_three", "\xE0\x80\xAF", false},
                      Case{"surrogate", "\xED\xA0\x80", false},
                      Case{"above_max", "\xF4\x90\x80\x80", false},
                      Case{"truncated", "\xE2\x82", false},
                      Case{"lone_continuation", "\x80", false},
                      Case{"sjis_backslash_trick", "\x95\x5C' OR 1=1", false}),
    [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

// pg_char_to_encoding keeps ASCII letters and digits, lower-cased: exactly these are UTF8.
struct EncodingCase {
  const char* name;
  std::string value;
  bool utf8;
};

class EncodingNameTable : public ::testing::TestWithParam<EncodingCase> {};

TEST_P(EncodingNameTable, MapsLikePostgres) {
  EXPECT_EQ(airlock::is_utf8_encoding_name(GetParam().value), GetParam().utf8);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EncodingNameTable,
    ::testing::Values(EncodingCase{"canonical", "UTF8", true},
                      EncodingCase{"lower_dash", "utf-8", true},
                      EncodingCase{"asyncpg_quoted", "'utf-8'", true},
                      EncodingCase{"underscore", "UTF_8", true},
                      EncodingCase{"unicode_mixed_case", "UniCode", true},
                      EncodingCase{"spaces_and_dots", " u.t f-8 ", true},
                      EncodingCase{"non_ascii_bytes_dropped", "utf8\xC3\xA9", true},
                      EncodingCase{"empty", "", false},
                      EncodingCase{"utf", "utf", false},
                      EncodingCase{"utf16", "UTF-16", false},
                      EncodingCase{"utf8mb4", "utf8mb4", false},
                      EncodingCase{"sjis", "SJIS", false},
                      EncodingCase{"sql_ascii", "SQL_ASCII", false},
                      EncodingCase{"latin1", "LATIN1", false},
                      EncodingCase{"utf8_twice", "utf8utf8", false},
                      EncodingCase{"long", std::string(10000, 'u'), false}),
    [](const ::testing::TestParamInfo<EncodingCase>& p) { return std::string(p.param.name); });

}  // namespace
