#include "sql/prescan.hpp"

#include <gtest/gtest.h>

#include <string>

namespace airlock::sql {
namespace {

TEST(Prescan, CountsOperatorsAndParentheses) {
  EXPECT_EQ(estimate_nesting("SELECT 1", 100), 0);
  EXPECT_EQ(estimate_nesting("SELECT 1+2+3", 100), 2);
  EXPECT_EQ(estimate_nesting("SELECT (1)", 100), 2);
  EXPECT_EQ(estimate_nesting("SELECT ((1+2))", 100), 5);
}

TEST(Prescan, ListsRestartTheChain) {
  EXPECT_EQ(estimate_nesting("SELECT 1+1, 2+2, 3+3", 100), 1);
  EXPECT_EQ(estimate_nesting("SELECT 1 WHERE a=1 AND b=2 OR c=3", 100), 1);
}

TEST(Prescan, SkipsLiteralsAndComments) {
  EXPECT_EQ(estimate_nesting("SELECT '((((+++' -- (((\n", 100), 0);
  EXPECT_EQ(estimate_nesting("SELECT $$ ((( $$, $t$ ))) $t$ /* ( /* ( */ ( */", 100), 0);
  EXPECT_EQ(estimate_nesting("SELECT E'\\'((('", 100), 0);
  EXPECT_EQ(estimate_nesting("SELECT \"a((\"\"\"", 100), 0);
  EXPECT_EQ(estimate_nesting("SELECT a$b, $1 + $2", 100), 1);
}

TEST(Prescan, StopsEarlyAboveTheLimit) {
  std::string s = "SELECT ";
  for (int i = 0; i < 100'000; ++i) s += "1+";
  EXPECT_EQ(estimate_nesting(s, 1000), 1001);
  EXPECT_EQ(estimate_nesting(std::string(5000, '('), 1000), 1001);
}

TEST(Prescan, UnterminatedConstructsDoNotOverrun) {
  for (const char* s : {"'abc", "\"abc", "$$abc", "$a$abc", "/* abc", "E'\\", "$", "--"})
    EXPECT_GE(estimate_nesting(s, 10), 0) << s;
}

}  // namespace
}  // namespace airlock::sql
