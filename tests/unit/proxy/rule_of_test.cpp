// The rule id a refusal's text names (proxy/guard_text.hpp rule_of): what the denial metric
// is labelled with and what MCP reports as `rule`.
#include <gtest/gtest.h>

#include "proxy/guard_text.hpp"

namespace airlock::proxy {
namespace {

struct Case {
  const char* message;
  const char* rule;
};

class RuleOf : public ::testing::TestWithParam<Case> {};

TEST_P(RuleOf, Table) { EXPECT_EQ(rule_of(GetParam().message), GetParam().rule) << GetParam().message; }

INSTANTIATE_TEST_SUITE_P(
    Messages, RuleOf,
    ::testing::Values(
        Case{"airlock: delete on public.t is not allowed for bot [default_deny]", "default_deny"},
        Case{"airlock: writing column \"x\" is not allowed [allow[2]]", "allow[2]"},
        Case{"airlock: column \"ssn\" may not be used [allow[1].deny_columns]", "allow[1].deny_columns"},
        Case{"airlock: held for human approval: plans [hold[0]]; request apr_1 waits for an approver",
             "hold[0]"},
        Case{"airlock: the [bracketed] table is refused [gateway.read_only]", "gateway.read_only"},
        Case{"relation \"t\" does not exist", ""}, Case{"airlock: no rule here", ""},
        Case{"unbalanced ]", ""}, Case{"", ""}));

}  // namespace
}  // namespace airlock::proxy
