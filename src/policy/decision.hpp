#pragma once
// The outcome of evaluating one SQL string for one agent: a value with a stable rule id,
// never a bare bool. See docs/policy.md for every rule id.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airlock::policy {

// Ordered from least to most restrictive: combining two verdicts keeps the larger.
enum class Verdict : std::uint8_t { Allow, Hold, Deny };

std::string_view to_string(Verdict v) noexcept;

struct Decision {
  Verdict verdict = Verdict::Deny;
  std::string rule;    // "builtin.unparsed", "allow[2]", "hold[0]", "default_deny", ...
  std::string reason;  // what was refused or held, naming the object
  std::string hint;    // what the agent may do, and how to ask for more (deny and hold)
  std::optional<std::uint64_t> row_limit;   // most rows the statement may affect
  Verdict over_limit = Verdict::Deny;       // what a guard does past row_limit
  std::vector<std::string> masked_columns;  // output columns to return masked

  static Decision allow(std::string rule);
  static Decision deny(std::string rule, std::string reason);
  static Decision hold(std::string rule, std::string reason);
};

// Folds `part` into `total`: the more restrictive verdict wins (deny > hold > allow). At
// equal verdicts `total` keeps its rule and reason, except that an allow by a builtin rule
// gives way to an allow by an agent's entry (the more informative id). Row limits take the
// smaller one (its over_limit with it); masked columns are united.
void combine(Decision& total, const Decision& part);

}  // namespace airlock::policy
