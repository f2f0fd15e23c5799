#pragma once
// Collecting the token of an access request (docs/access.md, "Access requests"), exactly
// once: the approved request is consumed (state::Store::consume_approval, one transaction:
// Approved → Executed) and only the caller that consumed it issues the token, with its ttl
// counted from now. Any later collection finds the request executed and gets no token.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "access/issue.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "state/store.hpp"

namespace airlock::access {

enum class Collected : std::uint8_t {
  Pending,    // not decided yet
  Approved,   // approved, and the token was issued to this caller now
  Denied,     // the approver's note says why
  Expired,    // not decided, or not collected, before it expired
  Collected,  // its token was collected before: never a second one
};

std::string_view to_string(Collected c) noexcept;  // "pending", "approved", ...

struct Collection {
  Collected status = Collected::Pending;
  state::Approval request;           // as stored, after this collection
  std::optional<IssuedToken> token;  // Approved only: shown once
};

// The state of access request `id`, collecting its token when it is approved. `agent` ""
// collects any agent's request (the CLI, run by someone who can write the state file); else
// only that agent's, and another's is "not found" like an unknown id. The token is checked
// against the policy in force now (cfg): a scope the agent lost since the approval is
// refused and the request stays approved. Errors: state::kNotFound, kInvalidParameterValue
// (the scope is no longer granted), or the store's failure. `user` (MCP: the caller's login,
// an agent's name or a token id): a request asked for over MCP is collected only by the
// login that asked; "" (the CLI) skips that check.
Result<Collection> collect_access(state::Store& store, const config::Config& cfg,
                                  std::string_view id, std::string_view agent,
                                  std::int64_t now_ms, std::string_view user = {});

// What `airlock access status --json` prints and the MCP tool access_status returns, as
// JSON text: {"status", "id"} and, by status, approved: "user", "password", "expires_at"
// (the token's); pending: "expires_at" (the request's); denied: "decided_by", "note";
// expired: "expires_at"; collected: "collected_at".
std::string collection_json(const Collection& c);

}  // namespace airlock::access
