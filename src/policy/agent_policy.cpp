#include "policy/agent_policy.hpp"

namespace airlock::policy {
namespace {

constexpr Action kActions[] = {Action::Select,   Action::Insert,     Action::Update,
                               Action::Delete,   Action::Truncate,   Action::References,
                               Action::Trigger,  Action::Ddl,        Action::Lock,
                               Action::Copy};

std::vector<ObjectName> parse_names(const std::vector<std::string>& written) {
  std::vector<ObjectName> out;
  for (const auto& w : written) {
    if (auto n = parse_qualified(w)) out.push_back(std::move(*n));
  }
  return out;
}

std::vector<std::string> parse_columns(const std::vector<std::string>& written) {
  std::vector<std::string> out;
  out.reserve(written.size());
  for (const auto& w : written) out.push_back(parse_identifier(w));
  return out;
}

std::vector<MaskSpec> parse_masks(const std::vector<MaskSpec>& written) {
  std::vector<MaskSpec> out;
  out.reserve(written.size());
  for (const auto& m : written) out.emplace_back(parse_identifier(m.column), m.style);
  return out;
}

CompiledEntry compile_entry(const RuleSpec& spec, bool is_hold, std::size_t index) {
  CompiledEntry e;
  e.id = std::string(is_hold ? "hold[" : "allow[") + std::to_string(index) + "]";
  e.is_hold = is_hold;
  e.tables = parse_names(spec.tables);
  e.sequences = parse_names(spec.sequences);
  e.functions = parse_names(spec.functions);
  for (const auto& word : spec.actions) {
    if (auto a = parse_action(word)) e.actions |= 1u << static_cast<unsigned>(*a);
  }
  e.columns = parse_columns(spec.columns);
  e.mask = parse_masks(spec.mask);
  e.deny_columns = parse_columns(spec.deny_columns);
  e.max_rows = spec.max_rows;
  e.over_limit = spec.over_limit == "hold" ? Verdict::Hold : Verdict::Deny;
  e.reason = spec.reason;
  e.line = spec.line;
  return e;
}

}  // namespace

std::optional<Action> parse_action(std::string_view word) {
  for (Action a : kActions) {
    if (to_string(a) == word) return a;
  }
  return std::nullopt;
}

std::string_view to_string(Action a) noexcept {
  switch (a) {
    case Action::Select: return "select";
    case Action::Insert: return "insert";
    case Action::Update: return "update";
    case Action::Delete: return "delete";
    case Action::Truncate: return "truncate";
    case Action::References: return "references";
    case Action::Trigger: return "trigger";
    case Action::Ddl: return "ddl";
    case Action::Lock: return "lock";
    case Action::Copy: return "copy";
  }
  return "select";
}

AgentPolicy AgentPolicy::compile(std::string agent, std::span<const RuleSpec> allow,
                                 std::span<const RuleSpec> hold) {
  AgentPolicy p;
  p.agent_ = std::move(agent);
  for (std::size_t i = 0; i < allow.size(); ++i) {
    p.entries_.push_back(compile_entry(allow[i], false, i));
  }
  for (std::size_t i = 0; i < hold.size(); ++i) {
    p.entries_.push_back(compile_entry(hold[i], true, i));
  }
  constexpr Action kWrites[] = {Action::Insert, Action::Update, Action::Delete,
                                Action::Truncate, Action::Ddl, Action::Copy};
  for (std::size_t i = 0; i < p.entries_.size(); ++i) {
    const CompiledEntry& e = p.entries_[i];
    for (const auto& n : e.tables) p.tables_[n.key()].push_back(i);
    for (const auto& n : e.sequences) p.sequences_[n.key()].push_back(i);
    for (const auto& n : e.functions) p.functions_[n.key()].push_back(i);
    for (Action a : kWrites) p.may_write_ = p.may_write_ || (e.has(a) && !e.tables.empty());
    p.uses_columns_ = p.uses_columns_ || !e.mask.empty() || !e.deny_columns.empty() ||
                      !e.columns.empty();
  }
  p.hint_ = describe_policy(p.agent_, p.entries_);
  return p;
}

std::vector<const CompiledEntry*> AgentPolicy::lookup(const Index& index,
                                                      const ObjectName& n) const {
  std::vector<const CompiledEntry*> out;
  if (auto it = index.find(n.key()); it != index.end()) {
    for (std::size_t i : it->second) out.push_back(&entries_[i]);
  }
  return out;
}

std::vector<const CompiledEntry*> AgentPolicy::for_table(const ObjectName& n) const {
  return lookup(tables_, n);
}
std::vector<const CompiledEntry*> AgentPolicy::for_sequence(const ObjectName& n) const {
  return lookup(sequences_, n);
}
std::vector<const CompiledEntry*> AgentPolicy::for_function(const ObjectName& n) const {
  return lookup(functions_, n);
}

}  // namespace airlock::policy
