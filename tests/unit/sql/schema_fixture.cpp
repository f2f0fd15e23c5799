#include "schema_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sql/catalog_sources.hpp"

namespace airlock::sql::test {
namespace {

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string qualified(const ColumnRef& c) {
  return (c.schema.empty() ? "" : c.schema + ".") + c.relation + "." + c.column;
}

}  // namespace

const Catalog& schema_catalog() {
  static const Catalog cat = [] {
    std::ifstream in(std::string(AIRLOCK_TEST_DATA_DIR) + "/schema.sql", std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    auto c = catalog_from_schema_sql(ss.str());
    if (!c) ADD_FAILURE() << "schema.sql: " << c.error().message;
    return c ? std::move(*c) : Catalog{};
  }();
  return cat;
}

const std::vector<std::string>& default_path() {
  static const std::vector<std::string> path = {"public"};
  return path;
}

Analysis analyze_with_schema(const std::string& sql) {
  return analyze(sql, {}, schema_catalog(), default_path());
}

std::string access_of(const StatementFacts& f) {
  std::vector<std::string> items;
  for (const ColumnAccess& a : f.column_access) {
    std::string s = (a.schema.empty() ? "" : a.schema + ".") + a.relation;
    if (a.reads_all) s += " r*";
    else if (!a.read.empty()) s += " r=" + joined(a.read, ",");
    if (a.writes_all) s += " w*";
    else if (!a.written.empty()) s += " w=" + joined(a.written, ",");
    items.push_back(std::move(s));
  }
  std::sort(items.begin(), items.end());
  return joined(items, " | ");
}

std::string outputs_of(const StatementFacts& f) {
  std::vector<std::string> items;
  for (const OutputColumn& o : f.output_columns) {
    std::vector<std::string> src;
    for (const ColumnRef& c : o.sources) src.push_back(qualified(c));
    std::sort(src.begin(), src.end());
    std::string s = o.name + "<-" + joined(src, ",");
    if (o.opaque) s += " opaque";
    if (o.star) s += " star";
    items.push_back(std::move(s));
  }
  return joined(items, "; ");
}

}  // namespace airlock::sql::test
