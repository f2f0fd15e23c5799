// GatewayBackend: request_access and access_status (docs/access.md, "Access requests"). An
// agent asks for a token for itself; a human decides with `airlock approvals` or the admin
// API (the webhook is told, as for a held statement); the agent collects the token once.
// Neither runs a statement. Their call records carry the request's id in approval_id, and a
// refused request its reasons (decision deny, rule access.request).
#include <nlohmann/json.hpp>

#include "access/collect.hpp"
#include "access/request.hpp"
#include "audit/record.hpp"
#include "mcp/gateway_backend.hpp"
#include "proxy/guard_text.hpp"
#include "proxy/server.hpp"
#include "state/time_text.hpp"

namespace airlock::mcp {
namespace {

constexpr std::size_t kMaxRecordedId = 64;

ToolResult no_store() {
  return tool_error("airlock: no state store is configured (state.path)", {}, "55000");
}

}  // namespace

ToolResult GatewayBackend::request_access(const Caller& caller, const ToolRequest& request) {
  proxy::Services& services = server_.services();
  auto snap = services.snapshot();
  const config::Config& cfg = *snap->config;
  audit::Record record = call_record(caller, request, {});
  state::Store* store = services.store.get();
  if (!store) {
    append_call(record);
    return no_store();
  }
  access::TokenRequest asked;
  asked.agent = caller.agent;
  asked.requested_by = caller.login();
  asked.allow = request.allow;
  asked.max_rows = request.max_rows;
  if (request.ttl) asked.ttl = *request.ttl;
  asked.reason = request.reason;
  if (auto why = access::check_access_request(cfg, asked); !why.empty()) {
    const std::string reasons = access::reasons_text(why);
    record.decision = "deny";
    record.rule = access::kRequestRule;
    record.reason = reasons.substr(0, 1024);
    append_call(record);
    auto r = tool_error(
        "airlock: access request refused: " + reasons + " [" + access::kRequestRule + "]",
        "Ask only for tables and actions your policy grants (list_tables shows them), with a "
        "reason and a ttl of at most 24h.",
        sqlstate::kInvalidParameterValue);
    r.rule = access::kRequestRule;
    return r;
  }
  // The id is in the trail before the request exists.
  record.approval_id = state::new_approval_id();
  append_call(record);
  auto opened = access::open_access_request(*store, cfg, asked, proxy::now_ms(),
                                            record.approval_id);
  if (!opened) {
    return tool_error("airlock: the access request could not be stored: " +
                          opened.error().message,
                      {}, opened.error().sqlstate);
  }
  if (services.notify_hold) services.notify_hold(*opened);
  nlohmann::ordered_json out;
  out["id"] = opened->id;
  out["status"] = "pending";
  out["request"] = opened->sql;
  out["expires_at"] = state::utc_text(opened->expires_ms);
  out["hint"] = "A human decides (airlock approvals approve " + opened->id +
                "). Call access_status with this id until it is no longer pending: the token "
                "is returned once.";
  ToolResult r;
  r.json = out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return r;
}

ToolResult GatewayBackend::access_status(const Caller& caller, const ToolRequest& request) {
  proxy::Services& services = server_.services();
  auto snap = services.snapshot();
  audit::Record record = call_record(caller, request, {});
  record.approval_id = request.id.substr(0, kMaxRecordedId);
  append_call(record);
  state::Store* store = services.store.get();
  if (!store) return no_store();
  auto got = access::collect_access(*store, *snap->config, request.id, caller.agent,
                                    proxy::now_ms(), caller.login());
  if (!got) {
    if (got.error().sqlstate == state::kNotFound) {
      return tool_error("airlock: no access request " + request.id + " of agent " + caller.agent,
                        "Use the id request_access returned.", state::kNotFound);
    }
    return tool_error("airlock: " + got.error().message, {}, got.error().sqlstate);
  }
  ToolResult r;
  r.json = access::collection_json(*got);
  return r;
}

}  // namespace airlock::mcp
