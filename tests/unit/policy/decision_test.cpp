// combine(): the most restrictive verdict wins, whatever the order.
#include <gtest/gtest.h>

#include "policy/decision.hpp"

namespace airlock::policy {
namespace {

TEST(Combine, DenyBeatsHoldBeatsAllow) {
  Decision total = Decision::allow("allow[0]");
  combine(total, Decision::hold("hold[0]", "needs approval"));
  EXPECT_EQ(total.verdict, Verdict::Hold);
  combine(total, Decision::deny("default_deny", "no"));
  EXPECT_EQ(total.verdict, Verdict::Deny);
  combine(total, Decision::allow("allow[1]"));
  EXPECT_EQ(total.verdict, Verdict::Deny);
  EXPECT_EQ(total.rule, "default_deny");
}

TEST(Combine, FirstDenyKeepsItsRule) {
  Decision total = Decision::deny("builtin.unparsed", "a");
  combine(total, Decision::deny("default_deny", "b"));
  EXPECT_EQ(total.rule, "builtin.unparsed");
}

TEST(Combine, EntryAllowIsMoreInformativeThanBuiltin) {
  Decision total = Decision::allow("builtin.catalog_function");
  combine(total, Decision::allow("allow[2]"));
  EXPECT_EQ(total.rule, "allow[2]");
}

TEST(Combine, SmallestRowLimitAndUnionOfMasks) {
  Decision total = Decision::allow("allow[0]");
  Decision a = Decision::allow("allow[1]");
  a.row_limit = 50;
  a.masked_columns = {"email"};
  Decision b = Decision::allow("allow[2]");
  b.row_limit = 10;
  b.over_limit = Verdict::Hold;
  b.masked_columns = {"email", "phone"};
  combine(total, a);
  combine(total, b);
  EXPECT_EQ(total.row_limit, 10u);
  EXPECT_EQ(total.over_limit, Verdict::Hold);
  EXPECT_EQ(total.masked_columns, (std::vector<std::string>{"email", "phone"}));
}

TEST(Verdict, Names) {
  EXPECT_EQ(to_string(Verdict::Allow), "allow");
  EXPECT_EQ(to_string(Verdict::Hold), "hold");
  EXPECT_EQ(to_string(Verdict::Deny), "deny");
}

}  // namespace
}  // namespace airlock::policy
