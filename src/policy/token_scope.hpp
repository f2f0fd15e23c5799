#pragma once
// The scope of a just-in-time token (docs/access.md): which tables it may touch with which
// actions, and the most rows one write may change. A token narrows its agent's policy and
// never widens it: issue() refuses a scope the policy does not grant, and at run time a
// statement must pass both the agent's policy and the token's (rule token.scope).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "policy/agent_policy.hpp"

namespace airlock::policy {

struct ScopeEntry {
  ObjectName table;
  std::vector<Action> actions;  // in the order written, without repeats
  std::string written;          // "public.tickets:select,update", normalized spacing
};

// "schema.table:action[,action...]"; the actions are the policy's words (select, insert,
// update, delete, truncate, ...). Errors say what is wrong with the entry.
Result<ScopeEntry> parse_scope_entry(std::string_view text);

// One message per (table, action) of `scope` that `agent` grants neither by an allow nor by
// a hold entry; empty: the scope is within the policy.
std::vector<std::string> beyond_policy(const AgentPolicy& agent,
                                       const std::vector<ScopeEntry>& scope);

// The scope as a policy of its own, evaluated after the agent's: reads as written, writes
// limited to max_rows when given.
AgentPolicy compile_scope(const std::string& agent, const std::vector<ScopeEntry>& scope,
                          std::optional<std::uint64_t> max_rows);

// "select, update on public.tickets; at most 10 rows per write" for hints and listings.
std::string describe_scope(const std::vector<ScopeEntry>& scope,
                           std::optional<std::uint64_t> max_rows);

}  // namespace airlock::policy
