// libFuzzer target for sql::analyze.
// Invariants: never crash; text that libpg_query cannot parse, or that is not UTF-8, never
// yields an Ok analysis; every reported statement range lies inside the input; analysis
// against a catalog (column facts, `*` expansion, WHERE shapes) agrees on the outcome; the
// same bytes read as a schema file never crash catalog_from_schema_sql.
#include <pg_query.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/utf8.hpp"
#include "policy/evaluate.hpp"
#include "sql/analyze.hpp"
#include "sql/catalog_sources.hpp"

namespace {

const airlock::sql::Catalog& fuzz_catalog() {
  static const airlock::sql::Catalog c = *airlock::sql::catalog_from_schema_sql(
      "CREATE TABLE t (id int PRIMARY KEY, a text, b text NOT NULL);"
      "CREATE TABLE u (id int, t_id int, c text); CREATE VIEW v AS SELECT * FROM t;");
  return c;
}

// An agent allowed everything on the fuzz catalog's tables: whatever it is denied, it is
// denied by a built-in rule, and text that did not parse must always be denied.
const airlock::policy::AgentPolicy& permissive_policy() {
  static const airlock::policy::AgentPolicy p = [] {
    airlock::policy::RuleSpec all;
    all.tables = {"public.t", "public.u", "public.v"};
    all.actions = {"select", "insert", "update", "delete", "truncate", "ddl", "lock", "copy"};
    const airlock::policy::RuleSpec specs[] = {all};
    return airlock::policy::AgentPolicy::compile("fuzz", specs, {});
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const airlock::sql::Analysis a = airlock::sql::analyze(text);
  const airlock::sql::Analysis ac =
      airlock::sql::analyze(text, {}, fuzz_catalog(), {"public"});
  if (ac.outcome != a.outcome || ac.statements.size() != a.statements.size()) std::abort();
  (void)airlock::sql::catalog_from_schema_sql(text);
  const auto d = airlock::policy::evaluate(permissive_policy(), ac, {});
  if (!ac.ok() && d.verdict != airlock::policy::Verdict::Deny) std::abort();
  if (!a.ok()) {
    if (!a.statements.empty()) std::abort();
    return 0;
  }
  if (!airlock::valid_utf8(text)) std::abort();
  for (const auto& s : a.statements)
    if (s.text_offset > size || s.text_length > size - s.text_offset) std::abort();
  // Depth is bounded once analyze() accepted the text, so the library's recursive JSON
  // output is safe to run as the independent parse check.
  PgQueryParseResult r = pg_query_parse(text.c_str());
  const bool parse_failed = r.error != nullptr;
  pg_query_free_parse_result(r);
  if (parse_failed) std::abort();
  return 0;
}
