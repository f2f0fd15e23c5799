// Token scopes: parsing, the check against the agent's policy, and the scope as a policy.
#include "policy/token_scope.hpp"

#include <algorithm>

namespace airlock::policy {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The actions whose rows the row guard counts: COPY FROM counts as the insert it is.
bool limits_rows(Action a) {
  return a == Action::Insert || a == Action::Update || a == Action::Delete || a == Action::Copy;
}

std::string actions_text(const std::vector<Action>& actions) {
  std::string out;
  for (Action a : actions) {
    if (!out.empty()) out += ",";
    out += to_string(a);
  }
  return out;
}

}  // namespace

Result<ScopeEntry> parse_scope_entry(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return fail(
        sqlstate::kInvalidParameterValue,
        "scope entry '" + std::string(text) + "': " + why +
            " (expected schema.table:action[,action...], e.g. public.tickets:select,update)");
  };
  if (text.find_first_of("\n\r") != std::string_view::npos) {
    return bad("line breaks are not allowed");
  }
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("no actions after ':'");
  ScopeEntry e;
  auto name = parse_qualified(trim(text.substr(0, colon)));
  if (!name) return bad("the table must be written schema.table");
  e.table = std::move(*name);
  std::string_view rest = text.substr(colon + 1);
  while (true) {
    const auto comma = rest.find(',');
    std::string_view word = trim(rest.substr(0, comma));
    auto a = parse_action(word);
    if (!a) return bad("unknown action '" + std::string(word) + "'");
    if (std::find(e.actions.begin(), e.actions.end(), *a) == e.actions.end())
      e.actions.push_back(*a);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  e.written = display(e.table) + ":" + actions_text(e.actions);
  return e;
}

std::vector<std::string> beyond_policy(const AgentPolicy& agent,
                                       const std::vector<ScopeEntry>& scope) {
  std::vector<std::string> out;
  for (const auto& e : scope) {
    const auto entries = agent.for_table(e.table);
    for (Action a : e.actions) {
      const bool granted = std::any_of(entries.begin(), entries.end(),
                                       [&](const CompiledEntry* c) { return c->has(a); });
      if (!granted) {
        out.push_back(std::string(to_string(a)) + " on " + display(e.table) + " is not in " +
                      agent.agent() + "'s policy");
      }
    }
  }
  return out;
}

AgentPolicy compile_scope(const std::string& agent, const std::vector<ScopeEntry>& scope,
                          std::optional<std::uint64_t> max_rows) {
  std::vector<RuleSpec> specs;
  for (const auto& e : scope) {
    RuleSpec reads;
    RuleSpec writes;
    for (Action a : e.actions) {
      RuleSpec& spec = max_rows && limits_rows(a) ? writes : reads;
      spec.actions.emplace_back(to_string(a));
    }
    for (RuleSpec* spec : {&reads, &writes}) {
      if (spec->actions.empty()) continue;
      spec->tables.push_back(display(e.table));
      spec->reason = "the token's scope";
      if (spec == &writes) spec->max_rows = max_rows;
      specs.push_back(std::move(*spec));
    }
  }
  return AgentPolicy::compile(agent, specs, {});
}

std::string describe_scope(const std::vector<ScopeEntry>& scope,
                           std::optional<std::uint64_t> max_rows) {
  std::string out;
  for (const auto& e : scope) {
    if (!out.empty()) out += "; ";
    std::string words;
    for (Action a : e.actions) {
      if (!words.empty()) words += ", ";
      words += to_string(a);
    }
    out += words + " on " + display(e.table);
  }
  if (out.empty()) out = "nothing";
  if (max_rows) out += "; at most " + std::to_string(*max_rows) + " rows per write";
  return out;
}

}  // namespace airlock::policy
