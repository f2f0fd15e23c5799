// analyze(): the limits that run before the parser, then the raw parse and translation.
#include "sql/analyze.hpp"

#include <exception>
#include <string>

#include "core/utf8.hpp"
#include "sql/pg/raw_parse.hpp"
#include "sql/prescan.hpp"
#include "sql/resolve.hpp"

namespace airlock::sql {
namespace {

Analysis refused(Outcome o, std::string reason) {
  Analysis a;
  a.outcome = o;
  a.reason = std::move(reason);
  return a;
}

}  // namespace

Analysis analyze(std::string_view text, const AnalyzeLimits& limits) {
  static const Catalog empty;
  static const std::vector<std::string> default_path = {"$user", "public"};
  return analyze(text, limits, empty, default_path);
}

Analysis analyze(std::string_view text, const AnalyzeLimits& limits, const Catalog& catalog,
                 const std::vector<std::string>& search_path) {
  try {
    if (text.size() > limits.max_text_bytes)
      return refused(Outcome::TooLarge,
                     "statement text exceeds " + std::to_string(limits.max_text_bytes) + " bytes");
    // valid_utf8 also rejects NUL, so the C string handed to the parser is the whole text.
    if (!valid_utf8(text)) return refused(Outcome::InvalidUtf8, "statement text is not UTF-8");
    const int max_depth = limits.max_depth > 0 ? limits.max_depth : 1;
    if (estimate_nesting(text, max_depth) > max_depth)
      return refused(Outcome::TooDeep, "statement nesting exceeds " + std::to_string(max_depth));
    const std::string owned(text);
    const long walk_limit = static_cast<long>(max_depth) * kWalkDepthFactor;
    std::vector<std::string> path = effective_search_path(catalog, search_path);
    Analysis a = pg::parse_and_translate(
        owned, walk_limit > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(walk_limit), catalog,
        path, limits.select_columns);
    if (a.ok() && catalog.knows_schemas()) a.search_path = std::move(path);
    return a;
  } catch (const std::exception& e) {
    return refused(Outcome::Unsupported, std::string("analysis failed: ") + e.what());
  } catch (...) {
    return refused(Outcome::Unsupported, "analysis failed");
  }
}

}  // namespace airlock::sql
