#pragma once
// Compact text renderings of facts so test tables can state expectations as strings:
//   relations  "[~]schema.name:mode"   (~ = reference to a WITH query, not a table)
//   functions  "schema.name/argc[@site]" (site omitted for plain expressions)
//   kinds      "kind;kind" per statement
// Each rendering is sorted and de-duplicated and joined with single spaces.
#include <string>

#include "sql/facts.hpp"

namespace airlock::sql::test {

std::string relations_of(const Analysis& a);
std::string functions_of(const Analysis& a);
std::string kinds_of(const Analysis& a);
std::string describe(const Analysis& a);  // everything above, for failure messages

}  // namespace airlock::sql::test
