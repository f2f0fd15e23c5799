#pragma once
// One row of a facts table: the SQL, the statement kinds, relations and functions expected
// (renderings as in facts_matchers.hpp). `outcome` defaults to ok.
#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "facts_matchers.hpp"
#include "sql/analyze.hpp"

namespace airlock::sql::test {

struct FactsCase {
  const char* name;
  const char* sql;
  const char* kinds;
  const char* relations;
  const char* functions;
  Outcome outcome = Outcome::Ok;
};

inline std::ostream& operator<<(std::ostream& os, const FactsCase& c) { return os << c.name; }

inline void check_case(const FactsCase& c) {
  const Analysis a = analyze(c.sql);
  SCOPED_TRACE(describe(a));
  EXPECT_EQ(a.outcome, c.outcome);
  EXPECT_EQ(kinds_of(a), c.kinds);
  EXPECT_EQ(relations_of(a), c.relations);
  EXPECT_EQ(functions_of(a), c.functions);
  if (c.outcome == Outcome::Ok) {
    for (const auto& s : a.statements) {
      EXPECT_EQ(s.unsupported_reason, "");
    }
  }
}

inline std::string case_name(const testing::TestParamInfo<FactsCase>& i) { return i.param.name; }

}  // namespace airlock::sql::test
