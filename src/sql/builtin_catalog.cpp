// Catalog::builtin(): the embedded pg_catalog / information_schema data parsed once.
#include <charconv>
#include <vector>

#include "sql/builtin_catalog_data.hpp"
#include "sql/catalog.hpp"
#include "sql/catalog_sources.hpp"

namespace airlock::sql {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    const std::size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string_view::npos ? s.npos : p - start));
    if (p == std::string_view::npos) return out;
    start = p + 1;
  }
}

int to_int(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

template <class F>
void for_each_line(std::string_view text, F&& f) {
  for (std::string_view line : split(text, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    f(split(line, '\t'));
  }
}

}  // namespace

const Catalog& Catalog::builtin() {
  static const Catalog cat = [] {
    Catalog c;
    c.builtin_fallback_ = false;
    c.add_schema("pg_catalog");
    c.add_schema("information_schema");
    for_each_line(data::kPgCatalogFunctions, [&](const std::vector<std::string_view>& f) {
      if (f.size() < 5 || f[4].empty()) return;
      CatalogFunction fn;
      fn.schema = "pg_catalog";
      fn.name = f[0];
      fn.nargs = to_int(f[1]);
      fn.min_args = to_int(f[2]);
      fn.variadic = f[3] == "1";
      fn.volatility = volatility_from_code(f[4].front());
      c.add_function(std::move(fn));
    });
    for_each_line(data::kPgCatalogRelations, [&](const std::vector<std::string_view>& f) {
      if (f.size() < 4 || f[2].empty()) return;
      CatalogRelation r;
      r.schema = f[0];
      r.name = f[1];
      r.kind = relation_kind_from_code(f[2].front());
      if (!f[3].empty())
        for (std::string_view col : split(f[3], ',')) {
          const bool nn = !col.empty() && col.back() == '!';
          if (nn) col.remove_suffix(1);
          r.columns.push_back({std::string(col), nn});
        }
      c.add_relation(std::move(r));
    });
    return c;
  }();
  return cat;
}

}  // namespace airlock::sql
