#pragma once
// A second, slow and independent extractor used only by the differential test: it runs
// libpg_query's JSON output (pg_query_parse) and collects, per statement, the statement
// kind, every RangeVar (plus DROP name lists) and every FuncCall, by a generic walk that
// knows nothing of statement structure. Names are rendered like facts_matchers.hpp, without
// modes or sites.
#include <set>
#include <string>
#include <vector>

namespace airlock::sql::test {

struct JsonStatement {
  std::string kind;
  std::set<std::string> relations;  // "[catalog.][schema.]name"
  std::set<std::string> functions;  // "[schema.]name/argc"
};

struct JsonFacts {
  bool ok = false;
  std::string error;
  std::vector<JsonStatement> statements;
};

JsonFacts extract_via_json(const std::string& sql);

}  // namespace airlock::sql::test
