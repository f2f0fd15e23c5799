#pragma once
// Access requests (docs/access.md, "Access requests"): an agent, or a person for it, asks for
// a token; a human decides with the approvals CLI or the admin API (the webhook tells them),
// as for a held statement; the agent collects the token once (collect.hpp).
//
// A request is a state::Approval with rule `access.request`, so the approvals' guarantees
// hold for it unchanged: decided once, expired at approvals.expire_after, used at most once.
// Its statement_hash is "access:" + 32 random hex digits: never a statement's, so a retry
// never joins an earlier request and only the collection can consume it. Its `params` is
// the JSON object `{"allow": [...], "max_rows": N|null, "ttl_ms": N}` that collection issues
// the token from; its `sql` the line approvers read ("ACCESS REQUEST select, update on
// public.tickets for 15m"). Pure but for the store it is handed.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "access/issue.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "state/store.hpp"

namespace airlock::access {

inline constexpr const char* kRequestRule = "access.request";
inline constexpr const char* kRequestHashPrefix = "access:";

// Every reason `request` cannot be asked for: check_request's (unknown agent, a scope beyond
// the agent's policy, ttl out of range, ...), and an access request's own: it names at least
// one allow entry and gives a reason (the approver decides on them). Empty: it can.
std::vector<std::string> check_access_request(const config::Config& cfg,
                                              const TokenRequest& request);

// check_access_request, then a pending approval in `store`, expiring at
// cfg.approvals.expire_after. `id` "" gets state::new_approval_id() (the MCP tool passes the
// one it already wrote to the audit trail). Errors: kInvalidParameterValue with every reason
// joined by "; ", or the store's failure.
Result<state::Approval> open_access_request(state::Store& store, const config::Config& cfg,
                                            const TokenRequest& request, std::int64_t now_ms,
                                            std::string id = {});

// The request an approval stores (agent, allow, max_rows, ttl, reason); nullopt when `a` is
// not an access request (another rule, or params that do not parse).
std::optional<TokenRequest> requested_access(const state::Approval& a);

// Reasons as one message: "a; b; c".
std::string reasons_text(const std::vector<std::string>& why);

// "ACCESS REQUEST select, update on public.tickets; at most 10 rows per write for 15m".
std::string request_line(const TokenRequest& request);

}  // namespace airlock::access
