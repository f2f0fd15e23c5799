// validate_startup and split_options: what a client may set at startup, and how the
// settings that would change how upstream reads SQL are refused however they are spelled.
#include "proxy/startup_params.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace airlock::proxy {
namespace {

using namespace std::string_literals;
using Params = std::vector<std::pair<std::string, std::string>>;

const Params kPinned = {{"client_encoding", "UTF8"}, {"standard_conforming_strings", "on"}};

struct StartupCase {
  const char* name;
  Params params;           // as the client sent them, in order
  std::string sqlstate;    // empty when accepted
  Params settings = {};    // accepted: the settings before the two pinned ones
  std::vector<std::string> extra = {};
};

// gtest prints a failing case by its name, not as raw bytes.
void PrintTo(const StartupCase& c, std::ostream* os) { *os << c.name; }

Params with_user(Params p) {
  p.insert(p.begin(), {"user", "agent"});
  return p;
}

class ValidateStartupTable : public ::testing::TestWithParam<StartupCase> {};

TEST_P(ValidateStartupTable, Outcome) {
  const StartupCase& c = GetParam();
  protocol::StartupMessage msg;
  msg.params = c.params;
  const auto r = validate_startup(msg, c.extra);
  if (!c.sqlstate.empty()) {
    ASSERT_FALSE(r.has_value()) << "accepted, settings: " << r->settings.size();
    EXPECT_EQ(r.error().sqlstate, c.sqlstate) << r.error().message;
    return;
  }
  ASSERT_TRUE(r.has_value()) << r.error().sqlstate << " " << r.error().message;
  Params expected = c.settings;
  expected.insert(expected.end(), kPinned.begin(), kPinned.end());
  EXPECT_EQ(r->settings, expected);
  EXPECT_EQ(msg.find("user") ? *msg.find("user") : "", r->user);
}

const std::string kLong4096(4096, 'v');
const std::string kLong4097(4097, 'v');

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidateStartupTable,
    ::testing::Values(
        // --- accepted --------------------------------------------------------------------
        StartupCase{"user_only", {{"user", "agent"}}, ""},
        StartupCase{"database_is_not_forwarded", with_user({{"database", "prod"}}), ""},
        StartupCase{"allowed_params_pass_lower_cased",
                    with_user({{"DateStyle", "ISO, MDY"},
                               {"TimeZone", "Europe/Paris"},
                               {"extra_float_digits", "3"},
                               {"application_name", "psql"},
                               {"IntervalStyle", "iso_8601"}}),
                    "",
                    {{"datestyle", "ISO, MDY"},
                     {"timezone", "Europe/Paris"},
                     {"extra_float_digits", "3"},
                     {"application_name", "psql"},
                     {"intervalstyle", "iso_8601"}}},
        StartupCase{"utf8_value_accepted", with_user({{"application_name", "caf\xC3\xA9"}}), "",
                    {{"application_name", "caf\xC3\xA9"}}},
        StartupCase{"value_at_size_limit_accepted", with_user({{"search_path", kLong4096}}), "",
                    {{"search_path", kLong4096}}},
        StartupCase{"client_encoding_UTF8", with_user({{"client_encoding", "UTF8"}}), ""},
        StartupCase{"client_encoding_utf_dash_8", with_user({{"client_encoding", "utf-8"}}), ""},
        StartupCase{"client_encoding_unicode", with_user({{"client_encoding", "unicode"}}), ""},
        StartupCase{"client_encoding_UTF_8", with_user({{"client_encoding", "UTF_8"}}), ""},
        StartupCase{"client_encoding_asyncpg_quoted", with_user({{"client_encoding", "'utf-8'"}}),
                    ""},
        StartupCase{"client_encoding_spaced_mixed_case",
                    with_user({{"client_encoding", " Utf 8 "}}), ""},
        StartupCase{"client_encoding_UNICODE_dotted", with_user({{"client_encoding", "UNI.CODE"}}),
                    ""},
        StartupCase{"client_encoding_key_upper_case",
                    with_user({{"CLIENT_ENCODING", "UTF8"}}), ""},
        StartupCase{"standard_conforming_strings_on",
                    with_user({{"standard_conforming_strings", "on"}}), ""},
        StartupCase{"standard_conforming_strings_true",
                    with_user({{"standard_conforming_strings", "TRUE"}}), ""},
        StartupCase{"pinned_settings_last_even_when_sent_first",
                    {{"client_encoding", "UTF8"},
                     {"standard_conforming_strings", "on"},
                     {"user", "agent"},
                     {"search_path", "app"}},
                    "",
                    {{"search_path", "app"}}},
        StartupCase{"options_search_path_accepted", with_user({{"options", "-c search_path=x"}}),
                    "", {{"search_path", "x"}}},
        StartupCase{"options_escaped_space", with_user({{"options", "-c search_path=a\\ b"}}), "",
                    {{"search_path", "a b"}}},
        StartupCase{"options_long_form_dashes", with_user({{"options", "--search-path=x"}}), "",
                    {{"search_path", "x"}}},
        StartupCase{"options_several",
                    with_user({{"options", "-c statement_timeout=5s -cgeqo=off --jit=off"}}), "",
                    {{"statement_timeout", "5s"}, {"geqo", "off"}, {"jit", "off"}}},
        StartupCase{"options_override_top_level",
                    with_user({{"search_path", "a"}, {"options", "-c search_path=b"}}), "",
                    {{"search_path", "b"}}},
        StartupCase{"options_client_encoding_utf8_accepted",
                    with_user({{"options", "-c client_encoding=UTF8"}}), ""},
        StartupCase{"options_empty", with_user({{"options", ""}}), ""},
        StartupCase{"extra_allowed_setting", with_user({{"work_mem", "64MB"}}), "",
                    {{"work_mem", "64MB"}}, {"work_mem"}},
        StartupCase{"extra_allowed_via_options", with_user({{"options", "-c work_mem=64MB"}}),
                    "", {{"work_mem", "64MB"}}, {"work_mem"}},

        // --- encodings other than UTF-8 ------------------------------------------------
        StartupCase{"client_encoding_SJIS_refused", with_user({{"client_encoding", "SJIS"}}),
                    "42501"},
        StartupCase{"client_encoding_BIG5_refused", with_user({{"client_encoding", "BIG5"}}),
                    "42501"},
        StartupCase{"client_encoding_GBK_refused", with_user({{"client_encoding", "GBK"}}),
                    "42501"},
        StartupCase{"client_encoding_LATIN1_refused", with_user({{"client_encoding", "LATIN1"}}),
                    "42501"},
        StartupCase{"client_encoding_SQL_ASCII_refused",
                    with_user({{"client_encoding", "SQL_ASCII"}}), "42501"},
        StartupCase{"client_encoding_GB18030_refused",
                    with_user({{"client_encoding", "GB18030"}}), "42501"},
        StartupCase{"client_encoding_auto_refused", with_user({{"client_encoding", "auto"}}),
                    "42501"},
        StartupCase{"client_encoding_empty_refused", with_user({{"client_encoding", ""}}),
                    "42501"},
        StartupCase{"client_encoding_utf16_refused", with_user({{"client_encoding", "UTF16"}}),
                    "42501"},
        StartupCase{"client_encoding_quoted_SJIS_refused",
                    with_user({{"client_encoding", "'SJIS'"}}), "42501"},
        StartupCase{"client_encoding_utf8mb4_refused", with_user({{"client_encoding", "utf8mb4"}}),
                    "42501"},
        StartupCase{"client_encoding_utf_refused", with_user({{"client_encoding", "utf"}}),
                    "42501"},
        StartupCase{"client_encoding_punctuation_only_refused",
                    with_user({{"client_encoding", "'-'"}}), "42501"},
        StartupCase{"client_encoding_key_mixed_case_SJIS_refused",
                    with_user({{"Client_Encoding", "SJIS"}}), "42501"},
        StartupCase{"client_encoding_SJIS_via_options_refused",
                    with_user({{"options", "-c client_encoding=SJIS"}}), "42501"},
        StartupCase{"client_encoding_BIG5_via_long_option_refused",
                    with_user({{"options", "--client-encoding=BIG5"}}), "42501"},
        StartupCase{"client_encoding_GBK_via_options_after_utf8_top_level_refused",
                    with_user({{"client_encoding", "UTF8"}, {"options", "-cclient_encoding=GBK"}}),
                    "42501"},
        StartupCase{"client_encoding_not_reenabled_by_extra_allow",
                    with_user({{"client_encoding", "SJIS"}}), "42501", {}, {"client_encoding"}},

        // --- standard_conforming_strings=off -------------------------------------------
        StartupCase{"standard_conforming_strings_off_refused",
                    with_user({{"standard_conforming_strings", "off"}}), "42501"},
        StartupCase{"standard_conforming_strings_false_refused",
                    with_user({{"standard_conforming_strings", "false"}}), "42501"},
        StartupCase{"standard_conforming_strings_empty_refused",
                    with_user({{"standard_conforming_strings", ""}}), "42501"},
        StartupCase{"standard_conforming_strings_off_via_options_refused",
                    with_user({{"options", "-c standard_conforming_strings=off"}}), "42501"},
        StartupCase{"standard_conforming_strings_off_via_long_option_refused",
                    with_user({{"options", "--standard-conforming-strings=off"}}), "42501"},
        StartupCase{"standard_conforming_strings_off_via_glued_option_refused",
                    with_user({{"options", "-cstandard_conforming_strings=off"}}), "42501"},
        StartupCase{"standard_conforming_strings_off_upper_case_name_via_options_refused",
                    with_user({{"options", "-c STANDARD_CONFORMING_STRINGS=off"}}), "42501"},
        StartupCase{"standard_conforming_strings_off_after_valid_option_refused",
                    with_user({{"options", "-c search_path=x -c standard_conforming_strings=off"}}),
                    "42501"},
        StartupCase{"standard_conforming_strings_not_reenabled_by_extra_allow",
                    with_user({{"standard_conforming_strings", "off"}}), "42501", {},
                    {"standard_conforming_strings"}},
        StartupCase{"standard_conforming_strings_off_spelled_with_escape_refused",
                    with_user({{"options", "-c standard_conforming_strings=of\\f"}}), "42501"},

        // --- not on the allowlist ------------------------------------------------------
        StartupCase{"options_role_refused", with_user({{"options", "-c role=admin"}}), "42501"},
        StartupCase{"options_session_authorization_refused",
                    with_user({{"options", "-c session_authorization=postgres"}}), "42501"},
        StartupCase{"options_role_after_allowed_refused",
                    with_user({{"options", "-c search_path=x -c role=admin"}}), "42501"},
        StartupCase{"top_level_role_refused", with_user({{"role", "admin"}}), "42501"},
        StartupCase{"top_level_work_mem_refused_without_extra", with_user({{"work_mem", "1GB"}}),
                    "42501"},
        StartupCase{"custom_dotted_setting_refused", with_user({{"my.tenant", "1"}}), "42501"},
        StartupCase{"dashed_top_level_name_refused", with_user({{"search-path", "x"}}), "42501"},
        StartupCase{"options_plain_word_refused", with_user({{"options", "search_path=x"}}),
                    "42501"},
        StartupCase{"options_other_switch_refused", with_user({{"options", "-d 5"}}), "42501"},
        StartupCase{"options_dangling_c_refused", with_user({{"options", "-c"}}), "42501"},
        StartupCase{"options_without_equals_refused", with_user({{"options", "-c search_path"}}),
                    "42501"},
        StartupCase{"options_empty_name_refused", with_user({{"options", "-c =x"}}), "42501"},
        StartupCase{"replication_refused", with_user({{"replication", "database"}}), "42501"},
        StartupCase{"replication_false_refused_too", with_user({{"replication", "false"}}),
                    "42501"},
        StartupCase{"protocol_extension_refused", with_user({{"_pq_.x", "1"}}), "0A000"},
        StartupCase{"protocol_extension_before_user_refused", {{"_pq_.compression", "on"}},
                    "0A000"},

        // --- user ----------------------------------------------------------------------
        StartupCase{"missing_user_refused", {{"database", "db"}}, "28000"},
        StartupCase{"empty_user_refused", {{"user", ""}}, "28000"},
        StartupCase{"no_params_refused", {}, "28000"},
        StartupCase{"user_upper_case_key_is_not_user", {{"USER", "agent"}}, "42501"},

        // --- values that could break a log line, an ErrorResponse or upstream ----------
        StartupCase{"newline_in_value_refused",
                    with_user({{"application_name", "x\nLOG:  fake entry"}}), "42501"},
        StartupCase{"carriage_return_in_value_refused",
                    with_user({{"application_name", "x\r"}}), "42501"},
        StartupCase{"tab_in_value_refused", with_user({{"search_path", "a\tb"}}), "42501"},
        StartupCase{"escape_char_in_value_refused",
                    with_user({{"application_name", "\x1b[31mred"}}), "42501"},
        StartupCase{"del_in_value_refused", with_user({{"application_name", "a\x7f"}}), "42501"},
        StartupCase{"invalid_utf8_in_value_refused",
                    with_user({{"application_name", "\xff\xfe"}}), "42501"},
        StartupCase{"sjis_backslash_byte_in_value_refused",
                    with_user({{"search_path", "\x95\x5c"}}), "42501"},
        StartupCase{"overlong_utf8_in_value_refused", with_user({{"search_path", "\xC0\xAF"}}),
                    "42501"},
        StartupCase{"value_over_size_limit_refused", with_user({{"search_path", kLong4097}}),
                    "42501"},
        StartupCase{"newline_in_database_refused", with_user({{"database", "db\nx"}}), "42501"},
        StartupCase{"invalid_utf8_in_database_refused", with_user({{"database", "\xC3"}}),
                    "42501"},
        StartupCase{"newline_smuggles_second_option_refused",
                    with_user({{"options", "-c search_path=x\n-c role=admin"}}), "42501"},
        StartupCase{"newline_in_option_value_refused",
                    with_user({{"options", "-c application_name=a\nb"}}), "42501"},
        StartupCase{"escaped_newline_in_option_value_refused",
                    with_user({{"options", "-c application_name=a\\\nb"}}), "42501"},
        StartupCase{"control_char_in_option_name_refused",
                    with_user({{"options", "-c search\x01path=x"}}), "42501"},
        StartupCase{"invalid_utf8_in_option_name_refused",
                    with_user({{"options", "-c search_path\xff=x"}}), "42501"},
        // The user name ends up in logs ("agent=...") and in the password-failure message.
        StartupCase{"newline_in_user_refused", {{"user", "agent\nLOG:  forged"}}, "42501"},
        StartupCase{"control_char_in_user_refused", {{"user", "agent\x1b[2J"}}, "42501"},
        StartupCase{"invalid_utf8_in_user_refused", {{"user", "agent\xff"}}, "42501"},
        StartupCase{"oversized_user_refused", {{"user", kLong4097}}, "42501"}),
    [](const ::testing::TestParamInfo<StartupCase>& p) { return std::string(p.param.name); });

TEST(ValidateStartup, ReportsUserDatabaseAndApplicationName) {
  protocol::StartupMessage msg;
  msg.params = {{"user", "agent"}, {"database", "db"}, {"Application_Name", "psql"}};
  const auto r = validate_startup(msg, {});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->user, "agent");
  EXPECT_EQ(r->database, "db");
  EXPECT_EQ(r->application_name, "psql");
}

TEST(ValidateStartup, EveryBuiltinAllowedSettingPasses) {
  for (const std::string& name : default_allowed_startup_settings()) {
    protocol::StartupMessage msg;
    msg.params = {{"user", "agent"}, {name, "1"}};
    const auto r = validate_startup(msg, {});
    ASSERT_TRUE(r.has_value()) << name << ": " << r.error().message;
    ASSERT_EQ(r->settings.size(), 3u) << name;
    EXPECT_EQ(r->settings.front(), (std::pair<std::string, std::string>{name, "1"}));
  }
}

TEST(ValidateStartup, BuiltinAllowlistHoldsNoSettingThatChangesHowSqlIsRead) {
  for (const char* name : {"client_encoding", "standard_conforming_strings", "role",
                           "session_authorization", "backslash_quote", "escape_string_warning"}) {
    const auto& names = default_allowed_startup_settings();
    EXPECT_EQ(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

struct Utf8NameCase {
  const char* name;
  std::string value;
  bool utf8;
};
void PrintTo(const Utf8NameCase& c, std::ostream* os) { *os << c.name; }

class Utf8EncodingNameTable : public ::testing::TestWithParam<Utf8NameCase> {};

TEST_P(Utf8EncodingNameTable, Classifies) {
  EXPECT_EQ(is_utf8_encoding_name(GetParam().value), GetParam().utf8);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Utf8EncodingNameTable,
    ::testing::Values(Utf8NameCase{"UTF8", "UTF8", true}, Utf8NameCase{"utf8", "utf8", true},
                      Utf8NameCase{"utf_dash_8", "utf-8", true},
                      Utf8NameCase{"UTF_underscore_8", "UTF_8", true},
                      Utf8NameCase{"Unicode", "Unicode", true},
                      Utf8NameCase{"SJIS", "SJIS", false}, Utf8NameCase{"BIG5", "BIG5", false},
                      Utf8NameCase{"GBK", "GBK", false}, Utf8NameCase{"LATIN1", "LATIN1", false},
                      Utf8NameCase{"SQL_ASCII", "SQL_ASCII", false},
                      Utf8NameCase{"empty", "", false},
                      Utf8NameCase{"utf8_with_space", "utf8 ", true},  // PostgreSQL drops non-alphanumerics
                      Utf8NameCase{"utf8mb4", "utf8mb4", false}),
    [](const ::testing::TestParamInfo<Utf8NameCase>& p) { return std::string(p.param.name); });

struct OptionsCase {
  const char* name;
  std::string options;
  bool ok;
  Params pairs = {};
};
void PrintTo(const OptionsCase& c, std::ostream* os) { *os << c.name; }

class SplitOptionsTable : public ::testing::TestWithParam<OptionsCase> {};

TEST_P(SplitOptionsTable, Splits) {
  const OptionsCase& c = GetParam();
  const auto r = split_options(c.options);
  ASSERT_EQ(r.has_value(), c.ok) << (r ? "accepted" : r.error().message);
  if (!c.ok) {
    EXPECT_EQ(r.error().sqlstate, "42501");
    return;
  }
  EXPECT_EQ(*r, c.pairs);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SplitOptionsTable,
    ::testing::Values(
        OptionsCase{"empty", "", true},
        OptionsCase{"only_spaces", "   \t ", true},
        OptionsCase{"dash_c_separate", "-c search_path=x", true, {{"search_path", "x"}}},
        OptionsCase{"dash_c_glued", "-csearch_path=x", true, {{"search_path", "x"}}},
        OptionsCase{"double_dash_with_dashes", "--search-path=x-y", true,
                    {{"search_path", "x-y"}}},
        OptionsCase{"dash_c_name_dashes_normalised", "-c statement-timeout=1", true,
                    {{"statement_timeout", "1"}}},
        OptionsCase{"escaped_space_in_value", "-c search_path=a\\ b", true,
                    {{"search_path", "a b"}}},
        OptionsCase{"escaped_backslash", "-c search_path=a\\\\b", true,
                    {{"search_path", "a\\b"}}},
        OptionsCase{"trailing_backslash_kept", "-c search_path=a\\", true,
                    {{"search_path", "a\\"}}},
        OptionsCase{"escaped_space_joins_dash_c_and_setting", "-c\\ a=b", true, {{" a", "b"}}},
        OptionsCase{"equals_in_value", "-c application_name=a=b", true,
                    {{"application_name", "a=b"}}},
        OptionsCase{"empty_value", "-c search_path=", true, {{"search_path", ""}}},
        OptionsCase{"extra_whitespace_and_tabs", "  -c\ta=1 \t -c  b=2  ", true,
                    {{"a", "1"}, {"b", "2"}}},
        OptionsCase{"order_and_repeats_kept", "-c a=1 -c b=2 -c a=3", true,
                    {{"a", "1"}, {"b", "2"}, {"a", "3"}}},
        OptionsCase{"dangling_dash_c_refused", "-c", false},
        OptionsCase{"dangling_dash_c_after_setting_refused", "-c a=1 -c", false},
        OptionsCase{"missing_equals_refused", "-c search_path", false},
        OptionsCase{"empty_name_refused", "-c =x", false},
        OptionsCase{"double_dash_empty_name_refused", "--=x", false},
        OptionsCase{"bare_word_refused", "search_path=x", false},
        OptionsCase{"other_switch_refused", "-d 5", false},
        OptionsCase{"single_dash_refused", "-", false}),
    [](const ::testing::TestParamInfo<OptionsCase>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace airlock::proxy
