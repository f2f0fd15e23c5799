#pragma once
// airlock policy suggest, the pure part: from the statements an agent ran (the trail's
// intent records, any decision) the narrowest allow list that covers them: tables and
// actions, the columns each write wrote, max_rows from the rows writes changed (outcome
// records) times a headroom, user functions and sequences. Masks are not decided: columns
// read whose names look sensitive are listed for a person to decide (docs/policy.md,
// "Suggesting a policy"). Reading the trail and checking the result with app/decide.cpp
// are in cmd_policy_learn.cpp.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/rule_spec.hpp"
#include "sql/catalog.hpp"

namespace airlock::app {

// One distinct statement text the agent sent.
struct Observed {
  std::string statement;  // as the trail holds it (normalized unless keep_literals)
  std::size_t records = 0;
  // The most rows one run of it changed (outcome records: guards, shadow mode); nullopt
  // when some run of it has no count (observe and enforce mode record none without a guard).
  std::optional<std::int64_t> max_rows_changed;
};

struct Suggestion {
  std::vector<policy::RuleSpec> allow;
  std::vector<std::string> entry_notes;  // one per allow entry: a comment for it, or ""
  std::vector<std::string> sensitive;    // "public.customers.email (read)": decide on a mask
  std::vector<std::string> notes;        // other remarks, one per line
  std::vector<std::string> not_understood;  // statements the sql module could not analyze
};

// A column name that looks like it holds personal data or a secret.
bool looks_sensitive(std::string_view column);

// `schema.name` in the form the config expects: parts quoted as SQL quotes them when they are
// not plain lower-case identifiers.
std::string config_name(std::string_view schema, std::string_view name);

Suggestion build_suggestion(const std::vector<Observed>& observed, const sql::Catalog& catalog,
                            double headroom);

// An agent's allow and hold lists as YAML (the keys of agents.<name>), one line per key, in
// a fixed order so that two policies compare line by line. `notes[i]` is appended to the
// first line of allow entry i as a comment.
std::string render_rules(const std::vector<policy::RuleSpec>& allow,
                         const std::vector<policy::RuleSpec>& hold,
                         const std::vector<std::string>& notes = {});

// The YAML printed by suggest: a header (comment lines, given), the allow list, then the
// sensitive columns and notes as comments.
std::string render_suggestion(const Suggestion& s, const std::vector<std::string>& header);

// A unified diff of two texts, line by line, with every line as context (one hunk); empty
// when they are equal.
std::string line_diff(std::string_view from_label, std::string_view from,
                      std::string_view to_label, std::string_view to);

}  // namespace airlock::app
