#include "facts_matchers.hpp"

#include <algorithm>
#include <set>

#include "sql/names.hpp"

namespace airlock::sql::test {
namespace {

std::string qualified(const std::string& catalog, const std::string& schema,
                      const std::string& name) {
  std::string s;
  if (!catalog.empty()) s += catalog + ".";
  if (!schema.empty()) s += schema + ".";
  return s + name;
}

std::string joined(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ' ';
    out += i;
  }
  return out;
}

}  // namespace

std::string relations_of(const Analysis& a) {
  std::set<std::string> items;
  for (const auto& s : a.statements)
    for (const auto& r : s.relations)
      items.insert((r.cte_reference ? "~" : "") + qualified(r.catalog, r.schema, r.name) + ":" +
                   std::string(to_string(r.mode)));
  return joined(items);
}

std::string functions_of(const Analysis& a) {
  std::set<std::string> items;
  for (const auto& s : a.statements)
    for (const auto& f : s.functions) {
      std::string item = qualified(f.catalog, f.schema, f.name) + "/" + std::to_string(f.arg_count);
      if (f.site != FunctionSite::Expression) item += "@" + std::string(to_string(f.site));
      items.insert(item);
    }
  return joined(items);
}

std::string kinds_of(const Analysis& a) {
  std::string out;
  for (const auto& s : a.statements) {
    if (!out.empty()) out += ';';
    out += to_string(s.kind);
  }
  return out;
}

std::string describe(const Analysis& a) {
  std::string d = "outcome=" + std::string(to_string(a.outcome)) + " reason='" + a.reason +
                  "' kinds=" + kinds_of(a) + " relations=[" + relations_of(a) +
                  "] functions=[" + functions_of(a) + "]";
  for (const auto& s : a.statements)
    if (!s.unsupported_reason.empty()) d += " unsupported='" + s.unsupported_reason + "'";
  return d;
}

}  // namespace airlock::sql::test
