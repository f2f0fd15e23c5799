// agents.<name>.require_intent (docs/access.md, "Justification"): what each value loads into,
// and the errors of values that are not one, with file:line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "config/config.hpp"

namespace airlock::config {
namespace {

// Line 5 of the file is the agent's first extra key.
LoadResult load(const std::string& agent_body) {
  ::setenv("CFG_TEST_BOT_PASSWORD", "bot-secret", 1);
  return load_config_from_string(
      "upstream: {database: app, user: airlock}\n"
      "agents:\n"
      "  bot:\n"
      "    password_env: CFG_TEST_BOT_PASSWORD\n" +
          agent_body,
      "t.yaml");
}

std::string errors_of(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

struct ValueCase {
  const char* name;
  const char* body;
  RequireIntent expected;
};

class RequireIntentValue : public testing::TestWithParam<ValueCase> {};

TEST_P(RequireIntentValue, Loads) {
  const ValueCase& c = GetParam();
  const LoadResult r = load(c.body);
  ASSERT_NE(r.config, nullptr) << errors_of(r);
  EXPECT_EQ(r.config->agents.at("bot").require_intent, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RequireIntentValue,
    testing::Values(ValueCase{"absent", "", RequireIntent::None},
                    ValueCase{"none", "    require_intent: none\n", RequireIntent::None},
                    ValueCase{"writes", "    require_intent: writes\n", RequireIntent::Writes},
                    ValueCase{"all", "    require_intent: all\n", RequireIntent::All},
                    ValueCase{"quoted", "    require_intent: \"writes\"\n",
                              RequireIntent::Writes}),
    [](const testing::TestParamInfo<ValueCase>& i) { return std::string(i.param.name); });

struct ErrorCase {
  const char* name;
  const char* body;
  const char* expected;  // the one error, as ConfigError::to_string() starts
};

class RequireIntentError : public testing::TestWithParam<ErrorCase> {};

TEST_P(RequireIntentError, RefusedWithItsPlace) {
  const ErrorCase& c = GetParam();
  const LoadResult r = load(c.body);
  EXPECT_EQ(r.config, nullptr);
  ASSERT_EQ(r.errors.size(), 1u) << errors_of(r);
  EXPECT_TRUE(r.errors[0].to_string().starts_with(c.expected)) << errors_of(r);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RequireIntentError,
    testing::Values(
        ErrorCase{"typo", "    require_intent: write\n",
                  "t.yaml:5: agents.bot.require_intent: expected one of none, writes, all, got "
                  "'write'"},
        ErrorCase{"boolean", "    mode: enforce\n    require_intent: true\n",
                  "t.yaml:6: agents.bot.require_intent: expected one of none, writes, all, got "
                  "'true'"},
        ErrorCase{"list", "    require_intent: [writes]\n",
                  "t.yaml:5: agents.bot.require_intent: "},
        ErrorCase{"key_typo", "    require_intnet: writes\n",
                  "t.yaml:5: agents.bot.require_intnet: unknown key (did you mean "
                  "'require_intent'?)"}),
    [](const testing::TestParamInfo<ErrorCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock::config
