// clean_intent and the application_name form (docs/access.md, "Justification"): what an
// intent may hold once it reaches a record.
#include "core/intent_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/utf8.hpp"

namespace airlock {
namespace {

struct CleanCase {
  const char* name;
  std::string raw;
  std::string expected;
};

class CleanIntent : public testing::TestWithParam<CleanCase> {};

TEST_P(CleanIntent, Table) {
  const CleanCase& c = GetParam();
  const std::string out = clean_intent(c.raw);
  EXPECT_EQ(out, c.expected);
  EXPECT_TRUE(valid_utf8(out));
  EXPECT_LE(out.size(), kMaxIntentBytes);
}

const std::string k199(199, 'a');

INSTANTIATE_TEST_SUITE_P(
    Table, CleanIntent,
    testing::Values(
        CleanCase{"plain", "refund for ticket 4411", "refund for ticket 4411"},
        CleanCase{"empty", "", ""},
        CleanCase{"only_spaces", " \t\n ", ""},
        CleanCase{"trimmed", "  refund  ", "refund"},
        CleanCase{"newlines_and_tabs_become_one_space", "refund\r\n\tticket", "refund ticket"},
        CleanCase{"escape_sequence_neutered", "ok\x1b[31mred", "ok [31mred"},
        CleanCase{"nul_and_del", std::string("a\0b\x7f" "c", 5), "a b c"},
        CleanCase{"c1_control", "a\xC2\x85" "b", "a b"},
        CleanCase{"invalid_utf8_replaced", "caf\xE9 x", "caf\xEF\xBF\xBD x"},
        CleanCase{"overlong_replaced", "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},
        CleanCase{"multibyte_kept", "r\xC3\xBC" "ckerstattung \xE2\x82\xAC", "r\xC3\xBC" "ckerstattung \xE2\x82\xAC"},
        CleanCase{"long_cut_at_limit", std::string(500, 'x'), std::string(200, 'x')},
        // 199 bytes, then a 2-byte character: it does not fit whole, so it goes.
        CleanCase{"cut_never_splits_a_character", k199 + "\xC3\xBC" "zz", k199},
        CleanCase{"cut_drops_the_trailing_space", k199 + " b", k199}),
    [](const testing::TestParamInfo<CleanCase>& i) { return std::string(i.param.name); });

struct AppNameCase {
  const char* name;
  const char* application_name;
  const char* expected;
};

class AppNameIntent : public testing::TestWithParam<AppNameCase> {};

TEST_P(AppNameIntent, Table) {
  EXPECT_EQ(intent_of_application_name(GetParam().application_name), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, AppNameIntent,
    testing::Values(AppNameCase{"prefix", "intent:refund 4411", "refund 4411"},
                    AppNameCase{"space_after_prefix", "intent: refund 4411", "refund 4411"},
                    AppNameCase{"no_prefix", "psql", ""},
                    AppNameCase{"prefix_elsewhere", "app intent:x", ""},
                    AppNameCase{"upper_case_prefix_is_not_one", "INTENT:x", ""},
                    AppNameCase{"prefix_alone", "intent:", ""},
                    AppNameCase{"empty", "", ""}),
    [](const testing::TestParamInfo<AppNameCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock
