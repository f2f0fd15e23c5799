// mask: styles in rules and the masking: section (issue #6). Error rows as in
// error_cases_test.cpp: the exact errors, each with file:line: key.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace airlock::config {
namespace {

// Lines 1-5; the first rule starts at line 6.
const std::string kRules =
    "upstream: {database: app, user: airlock}\n"
    "agents:\n  bot:\n    password_env: CFG_TEST_BOT_PASSWORD\n    allow:\n";

void set_env() {
  ::setenv("CFG_TEST_BOT_PASSWORD", "bot-secret", 1);
  ::setenv("CFG_TEST_MASK_KEY", "0123456789abcdef0123", 1);
  ::setenv("CFG_TEST_MASK_KEY_SHORT", "short", 1);
  ::unsetenv("CFG_TEST_MASK_KEY_UNSET");
}

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += "  " + e.to_string() + "\n";
  return out;
}

TEST(MaskingConfig, ShortAndLongFormsWithStyles) {
  set_env();
  const LoadResult r = load_config_from_string(
      kRules +
          "      - tables: [public.customers]\n"
          "        actions: [select]\n"
          "        mask: [email, {column: phone, style: partial}, {column: ssn, style: hash},\n"
          "               {column: note, style: 'null'}, '\"Full Name\"',\n"
          "               {column: x, style: full}]\n"
          "masking: {key_env: CFG_TEST_MASK_KEY}\n",
      "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  const std::vector<policy::MaskSpec> expected = {
      {"email", MaskStyle::Full},   {"phone", MaskStyle::Partial},
      {"ssn", MaskStyle::Hash},     {"note", MaskStyle::Null},
      {"\"Full Name\"", MaskStyle::Full}, {"x", MaskStyle::Full}};
  EXPECT_EQ(r.config->agents.at("bot").allow[0].mask, expected);
  EXPECT_EQ(r.config->masking.key, "0123456789abcdef0123");
  // Compiled: names in parsed form, styles kept.
  const auto& entry = r.config->agents.at("bot").policy->entries().front();
  ASSERT_EQ(entry.mask.size(), 6u);
  EXPECT_EQ(entry.mask[4].column, "Full Name");
  EXPECT_EQ(entry.mask[2].style, MaskStyle::Hash);
}

TEST(MaskingConfig, NoMaskingSectionNoKey) {
  set_env();
  const LoadResult r = load_config_from_string(
      kRules + "      - tables: [public.customers]\n        mask: [email]\n", "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_EQ(r.config->masking.key, "");
}

TEST(MaskingConfig, PolicyToolsNeedOnlyTheKeyName) {
  const LoadResult r = load_config_from_string(
      kRules + "      - tables: [public.customers]\n        mask: [{column: ssn, style: hash}]\n"
               "masking: {key_env: CFG_TEST_MASK_KEY_UNSET}\n",
      "t.yaml", LoadOptions{false});
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_EQ(r.config->masking.key, "");
}

struct ErrorCase {
  const char* name;
  std::string yaml;
  std::vector<std::string> expected;   // one substring per error, all errors listed
  std::vector<std::string> forbidden;  // must appear in no message (secrets)
  bool secrets = true;
};

std::ostream& operator<<(std::ostream& os, const ErrorCase& c) { return os << c.name; }

class MaskingErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(MaskingErrors, ReportsExactlyTheExpectedErrors) {
  set_env();
  const ErrorCase& c = GetParam();
  const LoadResult r = load_config_from_string(c.yaml, "t.yaml", LoadOptions{c.secrets});
  const std::string all = dump(r);
  ASSERT_EQ(r.errors.size(), c.expected.size()) << "errors:\n" << all;
  for (std::size_t i = 0; i < c.expected.size(); ++i) {
    EXPECT_NE(r.errors[i].to_string().find(c.expected[i]), std::string::npos)
        << "error " << i << " should contain: " << c.expected[i] << "\nerrors:\n"
        << all;
  }
  for (const auto& f : c.forbidden) EXPECT_EQ(all.find(f), std::string::npos) << f;
  EXPECT_EQ(r.config, nullptr);
}

const std::string kHashRule =
    "      - tables: [public.customers]\n        mask: [{column: ssn, style: hash}]\n";

INSTANTIATE_TEST_SUITE_P(
    Table, MaskingErrors,
    testing::ValuesIn(std::vector<ErrorCase>{
        {"style_typo",
         kRules + "      - tables: [public.c]\n        mask: [{column: ssn, style: hsah}]\n",
         {"t.yaml:7: agents.bot.allow[0].mask[0].style: expected one of full, partial, hash, "
          "null, got 'hsah' (did you mean 'hash'?)"}},
        {"style_without_column",
         kRules + "      - tables: [public.c]\n        mask: [{style: hash}]\n",
         {"t.yaml:7: agents.bot.allow[0].mask[0].column: required key is missing"}},
        {"item_key_typo",
         kRules + "      - tables: [public.c]\n        mask: [{colum: ssn}]\n",
         {"t.yaml:7: agents.bot.allow[0].mask[0].colum: unknown key (did you mean 'column'?)",
          "t.yaml:7: agents.bot.allow[0].mask[0].column: required key is missing"}},
        {"long_form_column_uppercase",
         kRules + "      - tables: [public.c]\n        mask:\n          - email\n"
                  "          - {column: Phone, style: partial}\n",
         {"t.yaml:9: agents.bot.allow[0].mask[1].column: 'Phone' has uppercase letters"}},
        {"column_masked_twice",
         kRules + "      - tables: [public.c]\n"
                  "        mask: [email, {column: email, style: hash}]\n"
                  "masking: {key_env: CFG_TEST_MASK_KEY}\n",
         {"t.yaml:7: agents.bot.allow[0].mask[1]: column 'email' is masked twice"}},
        {"mask_not_a_list", kRules + "      - tables: [public.c]\n        mask: email\n",
         {"t.yaml:7: agents.bot.allow[0].mask: expected a list such as [email, "}},
        {"hash_without_key", kRules + kHashRule,
         {"t.yaml:6: agents.bot.allow[0].mask: style hash needs a key: set masking.key_env"}},
        {"hash_without_key_in_hold",
         kRules + "      - tables: [public.t]\n        actions: [select]\n    hold:\n" + kHashRule +
             "state: {path: s.db}\n",
         {"t.yaml:9: agents.bot.hold[0].mask: style hash needs a key: set masking.key_env"}},
        {"hash_without_key_policy_tools", kRules + kHashRule,
         {"t.yaml:6: agents.bot.allow[0].mask: style hash needs a key: set masking.key_env"},
         {},
         false},
        {"key_env_unset", kRules + kHashRule + "masking: {key_env: CFG_TEST_MASK_KEY_UNSET}\n",
         {"t.yaml:8: masking.key_env: environment variable CFG_TEST_MASK_KEY_UNSET is not set"}},
        {"key_too_short", kRules + kHashRule + "masking:\n  key_env: CFG_TEST_MASK_KEY_SHORT\n",
         {"t.yaml:9: masking.key_env: the key in CFG_TEST_MASK_KEY_SHORT is shorter than 16 "
          "characters"},
         {"short'", ": short"}},
        {"masking_without_key_env", kRules + "      - tables: [public.c]\nmasking: {}\n",
         {"t.yaml:7: masking.key_env: required key is missing"}},
        {"masking_key_typo", kRules + "      - tables: [public.c]\nmasking: {key: abc}\n",
         {"t.yaml:7: masking.key: unknown key (expected one of: key_env)",
          "t.yaml:7: masking.key_env: required key is missing"}},
    }),
    [](const auto& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock::config
