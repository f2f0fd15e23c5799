#pragma once
// airlock policy replay, the pure part: what changed between the decisions recorded in the
// audit trail and a candidate policy's decisions of the same statements, summarized per
// agent, kind of change and rule (docs/policy.md, "Replaying the trail"). The trail reading
// and the decisions themselves (app/decide.cpp) are in cmd_policy_learn.cpp.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sql/facts.hpp"

namespace airlock::app {

enum class Change : std::uint8_t {
  None,
  AllowToDeny,  // allowed → denied
  DenyToAllow,  // denied → allowed
  NewlyHeld,    // allowed or denied → held
  HoldToAllow,  // held → allowed
  HoldToDeny,   // held → denied
};

// "allowed → denied", ...; "unchanged" for None.
std::string_view change_label(Change c) noexcept;
// "allow_to_deny", ... (JSON).
std::string_view change_key(Change c) noexcept;
// From the recorded and the candidate's verdict words (allow | deny | hold). A recorded word
// that is none of them (an old or foreign record) is taken as deny.
Change classify(std::string_view was, std::string_view now) noexcept;

// One intent record of the trail, re-decided.
struct ReplayItem {
  std::uint64_t seq = 0;
  std::string time;
  std::string agent;
  std::string session;
  std::string statement;
  std::string was_decision;  // as recorded
  std::string was_rule;
  std::string now_decision;  // the candidate's
  std::string now_rule;
  std::string now_reason;
  // Why the decision may depend on a literal the trail replaced with $n (or on the session):
  // empty when it cannot. See literal_dependence.
  std::string depends_on;
  // The candidate's decision rests on that missing value (e.g. nextval($1) refused because
  // its sequence is no longer a literal): the change says nothing about the policy. Such
  // changes are listed apart and count for the exit status only with --strict.
  bool undecidable = false;

  Change change() const noexcept { return classify(was_decision, now_decision); }
};

// Why a statement's decision may depend on a literal value the trail does not keep, or ""
// when it cannot:
//  - it does not parse once its literals are $n or ? (SET x = $1, DDL defaults);
//  - a placeholder is an argument of a function call (the policy reads the arguments of
//    nextval/currval/setval, pg_sleep and current_setting literally);
//  - it is EXECUTE of a prepared statement (decided as its PREPARE was, in the session).
// `literal_reader` is set when the function is one of those the policy reads literally, or
// the text does not parse, or it is an EXECUTE: then a candidate's refusal by the rule that
// reads the value (is_literal_rule) cannot be trusted.
std::string literal_dependence(std::string_view statement, const sql::Analysis& analysis,
                               bool& literal_reader);
// Rules whose verdict rests on a literal value or on the statement parsing as sent.
bool is_literal_rule(std::string_view rule) noexcept;
// Byte offsets of the placeholders ($1, ?) of a statement outside quotes and comments.
std::vector<std::size_t> placeholder_offsets(std::string_view text);

// Changes of one agent, one kind and one rule (the candidate's rule; for → allowed, the
// entry that now allows).
struct ChangeGroup {
  std::string agent;
  Change change = Change::None;
  std::string rule;
  std::size_t records = 0;
  std::size_t statements = 0;               // distinct statement texts
  std::vector<const ReplayItem*> examples;  // up to kExamples, distinct statements, by seq
};

struct AgentTally {
  std::string agent;
  std::size_t records = 0;
  std::size_t changed = 0;  // decidable changes
  bool missing = false;     // not in the candidate config: everything denied
};

// Statements whose decision may depend on a literal (ReplayItem::depends_on), changed or not.
struct LiteralDependent {
  std::string agent;
  std::string statement;
  std::string why;
  std::size_t records = 0;
};

struct ReplaySummary {
  std::size_t records = 0;
  std::size_t changed = 0;      // decidable changes
  std::size_t undecidable = 0;  // changes that rest on a literal the trail lacks
  std::vector<AgentTally> agents;       // by name
  std::vector<ChangeGroup> groups;      // by agent, change, rule
  std::vector<const ReplayItem*> undecidable_examples;  // up to kExamples
  std::vector<LiteralDependent> literal_dependent;      // by agent, then statement
  std::size_t literal_dependent_records = 0;
};

inline constexpr std::size_t kExamples = 3;

// Items must outlive the summary (it points into them).
ReplaySummary summarize(const std::vector<ReplayItem>& items,
                        const std::vector<std::string>& missing_agents);

// The text report and the --json document (every changed item in full).
std::string render_summary(const ReplaySummary& s, const std::string& candidate);
nlohmann::ordered_json replay_json(const ReplaySummary& s, const std::vector<ReplayItem>& items);

// 0 nothing changed, 1 something did (undecidable changes only with `strict`).
int replay_exit_status(const ReplaySummary& s, bool strict) noexcept;

// The statement on one line, cut to `width` bytes (at a UTF-8 boundary) with "...".
std::string one_line(std::string_view s, std::size_t width);

}  // namespace airlock::app
