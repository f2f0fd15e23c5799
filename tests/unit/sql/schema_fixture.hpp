#pragma once
// The catalog of data/schema.sql (a pg_dump-style SaaS schema), loaded once, and compact
// renderings of the column facts for test tables:
//   access   "schema.relation[ r=a,b][ r*][ w=c][ w*]" per relation, sorted, joined by " | "
//   outputs  "name<-schema.relation.column,...[ opaque][ star]" per result column, "; "
#include <string>
#include <vector>

#include "sql/analyze.hpp"
#include "sql/catalog.hpp"

namespace airlock::sql::test {

const Catalog& schema_catalog();
const std::vector<std::string>& default_path();  // {"public"}
Analysis analyze_with_schema(const std::string& sql);

std::string access_of(const StatementFacts& f);
std::string outputs_of(const StatementFacts& f);

}  // namespace airlock::sql::test
