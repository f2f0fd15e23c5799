#pragma once
// The approvals API under /v1/approvals (issue #4): list, show, approve, deny. The caller
// (the router) has already checked the bearer token.
#include <cstdint>

#include "http/message.hpp"
#include "state/store.hpp"

namespace airlock::http {

// GET  /v1/approvals?status=pending|all|approved|denied|executed|expired&agent=A&limit=N
// GET  /v1/approvals/{id}
// POST /v1/approvals/{id}/approve   body (optional): {"note": "...", "by": "..."}
// POST /v1/approvals/{id}/deny
// `path` is the decoded path of `target`, which starts with "/v1/approvals".
Response handle_approvals(const Request& request, const Target& target, state::Store& store,
                          std::int64_t now_ms);

}  // namespace airlock::http
