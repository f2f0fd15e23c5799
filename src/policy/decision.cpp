#include "policy/decision.hpp"

#include <algorithm>
#include <tuple>

namespace airlock::policy {
namespace {

// `column` lists sources separated by commas; each appears once.
bool has_item(std::string_view list, std::string_view item) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (list.substr(0, comma) == item) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

void add_source(std::string& list, std::string_view more) {
  while (!more.empty()) {
    const auto comma = more.find(',');
    const std::string_view one = more.substr(0, comma);
    if (!one.empty() && !has_item(list, one)) {
      if (!list.empty()) list += ',';
      list += one;
    }
    if (comma == std::string_view::npos) break;
    more.remove_prefix(comma + 1);
  }
}

void merge_mask(std::vector<MaskedOutput>& total, const MaskedOutput& m) {
  const auto key = [](const MaskedOutput& o) { return std::tie(o.statement, o.position); };
  auto it = std::lower_bound(total.begin(), total.end(), m, [&](const auto& a, const auto& b) {
    return key(a) < key(b);
  });
  if (it != total.end() && key(*it) == key(m)) {
    it->style = strictest(it->style, m.style);
    add_source(it->column, m.column);
    return;
  }
  total.insert(it, m);
}

void merge_shape(std::vector<ResultShape>& total, const ResultShape& s) {
  for (const auto& t : total) {
    if (t.statement == s.statement) return;  // one analysis, one shape per statement
  }
  total.push_back(s);
}

}  // namespace

std::string_view to_string(Verdict v) noexcept {
  switch (v) {
    case Verdict::Allow: return "allow";
    case Verdict::Hold: return "hold";
    case Verdict::Deny: return "deny";
  }
  return "deny";
}

Decision Decision::allow(std::string rule) {
  Decision d;
  d.verdict = Verdict::Allow;
  d.rule = std::move(rule);
  return d;
}

Decision Decision::deny(std::string rule, std::string reason) {
  Decision d;
  d.verdict = Verdict::Deny;
  d.rule = std::move(rule);
  d.reason = std::move(reason);
  return d;
}

Decision Decision::hold(std::string rule, std::string reason) {
  Decision d = deny(std::move(rule), std::move(reason));
  d.verdict = Verdict::Hold;
  return d;
}

void combine(Decision& total, const Decision& part) {
  const bool same = part.verdict == total.verdict;
  const bool more_informative = same && part.verdict == Verdict::Allow &&
                                total.rule.starts_with("builtin.") &&
                                !part.rule.empty() && !part.rule.starts_with("builtin.");
  if (part.verdict > total.verdict || (same && total.rule.empty()) || more_informative) {
    total.verdict = part.verdict;
    total.rule = part.rule;
    total.reason = part.reason;
    total.hint = part.hint;
  }
  if (part.row_limit && (!total.row_limit || *part.row_limit < *total.row_limit)) {
    total.row_limit = part.row_limit;
    total.over_limit = part.over_limit;
  } else if (part.row_limit && *part.row_limit == *total.row_limit) {
    total.over_limit = std::max(total.over_limit, part.over_limit);
  }
  for (const auto& c : part.masked_columns) {
    if (std::find(total.masked_columns.begin(), total.masked_columns.end(), c) ==
        total.masked_columns.end())
      total.masked_columns.push_back(c);
  }
  for (const auto& m : part.masked_outputs) merge_mask(total.masked_outputs, m);
  for (const auto& s : part.result_shapes) merge_shape(total.result_shapes, s);
  total.redact_errors = total.redact_errors || part.redact_errors;
}

Decision restamp(const Decision& d, std::size_t from, std::size_t to) {
  Decision out = d;
  out.masked_outputs.clear();
  out.result_shapes.clear();
  for (auto m : d.masked_outputs) {
    if (m.statement != from) continue;
    m.statement = to;
    out.masked_outputs.push_back(std::move(m));
  }
  for (auto s : d.result_shapes) {
    if (s.statement != from) continue;
    s.statement = to;
    out.result_shapes.push_back(std::move(s));
  }
  return out;
}

}  // namespace airlock::policy
