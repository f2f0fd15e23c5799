// A Catalog from a live server: the catalog query and the reading of its rows.
#include <algorithm>
#include <charconv>
#include <map>
#include <utility>

#include "sql/catalog_sources.hpp"

namespace airlock::sql {
namespace {

constexpr std::string_view kQuery = R"sql(
SELECT 'n', n.nspname, NULL, NULL, NULL, NULL, NULL, NULL
FROM pg_catalog.pg_namespace n
WHERE n.nspname !~ '^pg_(toast|temp_)'
UNION ALL
SELECT 'r', n.nspname, c.relname, c.relkind::text, a.attnum::text, a.attname::text,
       CASE WHEN a.attnotnull THEN 't' ELSE 'f' END, NULL
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_attribute a
  ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p') AND n.nspname !~ '^pg_(toast|temp_)'
UNION ALL
SELECT 'f', n.nspname, p.proname, p.pronargs::text, p.provolatile::text,
       CASE WHEN p.prosecdef THEN 't' ELSE 'f' END, p.pronargdefaults::text,
       CASE WHEN p.provariadic <> 0 THEN 't' ELSE 'f' END
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname !~ '^pg_(toast|temp_)'
)sql";

std::optional<int> to_int(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  int v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size()) return std::nullopt;
  return v;
}

std::unexpected<Error> bad_row(std::size_t i, const char* why) {
  return fail(sqlstate::kInvalidParameterValue, "catalog row " + std::to_string(i) + ": " + why);
}

}  // namespace

Volatility volatility_from_code(char c) noexcept {
  switch (c) {
    case 'i': return Volatility::Immutable;
    case 's': return Volatility::Stable;
    case 'v': return Volatility::Volatile;
    default: return Volatility::Unknown;
  }
}

RelationKind relation_kind_from_code(char c) noexcept {
  switch (c) {
    case 'r': return RelationKind::Table;
    case 'v': return RelationKind::View;
    case 'm': return RelationKind::MatView;
    case 'S': return RelationKind::Sequence;
    case 'f': return RelationKind::Foreign;
    case 'p': return RelationKind::Partitioned;
    default: return RelationKind::Unknown;
  }
}

std::string_view catalog_query_sql() { return kQuery; }

Result<Catalog> catalog_from_rows(const std::vector<CatalogRow>& rows) {
  Catalog cat;
  // (schema, relation) -> kind and (attnum, column); columns sorted by attnum at the end.
  std::map<std::pair<std::string, std::string>,
           std::pair<RelationKind, std::vector<std::pair<int, CatalogColumn>>>>
      rels;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CatalogRow& r = rows[i];
    if (r.size() < 8 || !r[0] || !r[1]) return bad_row(i, "expected 8 columns");
    const std::string& tag = *r[0];
    if (tag == "n") {
      cat.add_schema(*r[1]);
    } else if (tag == "r") {
      if (!r[2] || !r[3] || r[3]->empty()) return bad_row(i, "relation without name or kind");
      auto& rel = rels[{*r[1], *r[2]}];
      rel.first = relation_kind_from_code(r[3]->front());
      if (r[5]) {
        const auto attnum = to_int(r[4]);
        if (!attnum) return bad_row(i, "bad attnum");
        rel.second.push_back({*attnum, CatalogColumn{*r[5], r[6] && *r[6] == "t"}});
      }
    } else if (tag == "f") {
      const auto nargs = to_int(r[3]);
      const auto defaults = to_int(r[6]);
      if (!r[2] || !nargs || !defaults || !r[4] || r[4]->empty())
        return bad_row(i, "bad function row");
      CatalogFunction f;
      f.schema = *r[1];
      f.name = *r[2];
      f.nargs = *nargs;
      f.min_args = std::max(0, *nargs - *defaults);
      f.volatility = volatility_from_code(r[4]->front());
      f.security_definer = r[5] && *r[5] == "t";
      f.variadic = r[7] && *r[7] == "t";
      cat.add_function(std::move(f));
    } else {
      return bad_row(i, "unknown row kind");
    }
  }
  for (auto& [key, val] : rels) {
    CatalogRelation rel;
    rel.schema = key.first;
    rel.name = key.second;
    rel.kind = val.first;
    std::sort(val.second.begin(), val.second.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& c : val.second) rel.columns.push_back(std::move(c.second));
    cat.add_relation(std::move(rel));
  }
  return cat;
}

}  // namespace airlock::sql
