#include "policy/decision.hpp"

#include <algorithm>

namespace airlock::policy {

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
}

}  // namespace airlock::policy
