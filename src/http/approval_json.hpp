#pragma once
// Approvals as JSON: what the admin API returns and what the webhook posts, so approvers'
// tools parse one shape. Times are given both as RFC 3339 UTC text and as epoch ms.
#include <string>
#include <string_view>
#include <vector>

#include "state/store.hpp"

namespace airlock::http {

// {"id", "agent", "status", "rule", "reason", "sql", "params" (the stored JSON array; a
// string if it is not valid JSON), "rows" (null when unknown), "statement_hash",
// "created_at", "expires_at", "decided_at", "executed_at" (null until set), the same as
// *_ms integers, "decided_by", "note"}
std::string approval_json(const state::Approval& a);
std::string approvals_json(const std::vector<state::Approval>& list);

// The webhook body for a new request: {"event": event, "approval": {...}}.
std::string approval_event_json(std::string_view event, const state::Approval& a);

}  // namespace airlock::http
