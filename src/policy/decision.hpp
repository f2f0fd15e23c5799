#pragma once
// The outcome of evaluating one SQL string for one agent: a value with a stable rule id,
// never a bare bool. See docs/policy.md for every rule id.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mask_style.hpp"

namespace airlock::policy {

// Ordered from least to most restrictive: combining two verdicts keeps the larger.
enum class Verdict : std::uint8_t { Allow, Hold, Deny };

std::string_view to_string(Verdict v) noexcept;

// A result column whose values are returned masked (docs/policy.md, "Masking"). Positions
// count the columns of the rows one statement returns (its RowDescription), from 0; each
// statement of a multi-statement string has its own result and its own numbering.
struct MaskedOutput {
  std::size_t statement = 0;  // index into sql::Analysis::statements
  std::size_t position = 0;
  std::string column;  // masked source(s), "schema.table.column[,...]"; "" = lineage unknown
  MaskStyle style = MaskStyle::Full;

  friend bool operator==(const MaskedOutput&, const MaskedOutput&) = default;
};

// The result a statement with masked outputs returns, as analyzed. Positions are only
// meaningful for exactly this shape: the gateway compares it with the RowDescription (a
// stale catalog can expand `*` to other columns) before it masks by position.
struct ResultShape {
  std::size_t statement = 0;
  std::vector<std::string> columns;  // result column names, in order
  bool open_ended = false;  // an unexpanded `*` (no masked column in it) follows `columns`

  friend bool operator==(const ResultShape&, const ResultShape&) = default;
};

struct Decision {
  Verdict verdict = Verdict::Deny;
  std::string rule;    // "builtin.unparsed", "allow[2]", "hold[0]", "default_deny", ...
  std::string reason;  // what was refused or held, naming the object
  std::string hint;    // what the agent may do, and how to ask for more (deny and hold)
  std::optional<std::uint64_t> row_limit;   // most rows the statement may affect
  Verdict over_limit = Verdict::Deny;       // what a guard does past row_limit
  std::vector<std::string> masked_columns;  // names of the masked result columns (messages)
  std::vector<MaskedOutput> masked_outputs; // sorted by (statement, position), unique
  std::vector<ResultShape> result_shapes;   // one per statement with masked outputs
  // The string reads a masked column somewhere (also in WHERE): a server error may quote
  // its values ("invalid input syntax for type integer: \"alice@...\""), so error texts
  // must not reach the agent as they are.
  bool redact_errors = false;

  static Decision allow(std::string rule);
  static Decision deny(std::string rule, std::string reason);
  static Decision hold(std::string rule, std::string reason);
};

// Folds `part` into `total`: the more restrictive verdict wins (deny > hold > allow). At
// equal verdicts `total` keeps its rule and reason, except that an allow by a builtin rule
// gives way to an allow by an agent's entry (the more informative id). Row limits take the
// smaller one (its over_limit with it); masked columns are united, and a position masked by
// both gets the stricter style (core/mask_style.hpp, `strictest`).
void combine(Decision& total, const Decision& part);

// The masking obligations of one statement of `d` moved to statement index `to`: what a
// PREPARE's decision must carry to the EXECUTE that runs it (EXECUTE returns the prepared
// query's rows). Other fields are copied unchanged.
Decision restamp(const Decision& d, std::size_t from, std::size_t to);

}  // namespace airlock::policy
