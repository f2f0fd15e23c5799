#pragma once
// The approvals webhook (approvals.webhook, docs/policy.md "Approvals"), built in one place
// for the gateway (admin.cpp: every held statement and every access request made over MCP)
// and for the command that opens access requests from another process (airlock access
// request). Both send the same body, so approvers' tools parse one shape.
#include <string>

#include "config/config.hpp"
#include "core/error.hpp"
#include "http/webhook.hpp"
#include "state/store.hpp"

namespace airlock::app {

// The notifier's options from the config; counters are left to the caller.
http::WebhookOptions webhook_options(const config::Webhook& webhook);

// The body for a new request: {"event": "approval_requested", "approval": {...}}.
std::string requested_event(const state::Approval& a);

// Sends the notification of `a` once from this process and waits for it (the webhook's
// timeout, and a second); the secret comes from the variable secret_env names in this
// process's environment. No webhook configured: nothing to do. Errors say why it was not
// delivered (the request itself stands: approvers can list it).
Status notify_requested_once(const config::Webhook& webhook, const state::Approval& a);

}  // namespace airlock::app
