#pragma once
// An agent's allow and hold lists compiled once, at configuration load or reload: names
// parsed into the parser's form, actions into a bit set, and lookups by object prepared.
// Immutable after compile(); shared between sessions through a shared_ptr<const>.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "policy/decision.hpp"
#include "policy/object_name.hpp"
#include "policy/rule_spec.hpp"

namespace airlock::policy {

enum class Action : std::uint8_t {
  Select, Insert, Update, Delete, Truncate, References, Trigger, Ddl, Lock, Copy
};

std::optional<Action> parse_action(std::string_view word);
std::string_view to_string(Action a) noexcept;

struct CompiledEntry {
  std::string id;  // "allow[2]" or "hold[0]"
  bool is_hold = false;
  std::vector<ObjectName> tables;
  std::vector<ObjectName> sequences;
  std::vector<ObjectName> functions;
  std::uint32_t actions = 0;  // bit (1 << Action)
  std::vector<std::string> columns;       // parsed form; empty = every column
  std::vector<MaskSpec> mask;  // columns in parsed form
  std::vector<std::string> deny_columns;
  std::optional<std::uint64_t> max_rows;
  Verdict over_limit = Verdict::Deny;
  std::string reason;
  int line = 0;

  bool has(Action a) const { return (actions >> static_cast<unsigned>(a)) & 1u; }
};

class AgentPolicy {
 public:
  // Specs come from the config loader, which has checked their names and actions; a name
  // that still does not parse is skipped (it could never match).
  static AgentPolicy compile(std::string agent, std::span<const RuleSpec> allow,
                             std::span<const RuleSpec> hold);

  const std::string& agent() const { return agent_; }
  const std::vector<CompiledEntry>& entries() const { return entries_; }

  // Entries naming the object, allow entries first, each in file order.
  std::vector<const CompiledEntry*> for_table(const ObjectName& n) const;
  std::vector<const CompiledEntry*> for_sequence(const ObjectName& n) const;
  std::vector<const CompiledEntry*> for_function(const ObjectName& n) const;

  // True when some allow or hold entry grants a write action (insert, update, delete,
  // truncate, ddl, copy): such an agent may switch a transaction to READ WRITE.
  bool may_write() const { return may_write_; }
  // True when some entry has mask, deny_columns or columns: only then can a decision read
  // the columns a SELECT uses (sql::AnalyzeLimits::select_columns).
  bool uses_columns() const { return uses_columns_; }

  // "support-bot may: select on public.tickets; ... Ask an administrator to extend the
  // policy." Computed once; used as the hint of every deny and hold.
  const std::string& hint() const { return hint_; }

 private:
  using Index = std::unordered_map<std::string, std::vector<std::size_t>>;
  std::vector<const CompiledEntry*> lookup(const Index& index, const ObjectName& n) const;

  std::string agent_;
  std::vector<CompiledEntry> entries_;
  Index tables_;
  Index sequences_;
  Index functions_;
  bool may_write_ = false;
  bool uses_columns_ = false;
  std::string hint_;
};

// The hint text for a compiled policy (hint.cpp).
std::string describe_policy(const std::string& agent, const std::vector<CompiledEntry>& entries);

}  // namespace airlock::policy
