// Access requests as approvals: the checks, the stored shape and its reading back.
#include "access/request.hpp"

#include <nlohmann/json.hpp>

#include "auth/scram.hpp"
#include "core/duration.hpp"
#include "core/hex.hpp"
#include "policy/token_scope.hpp"

namespace airlock::access {
namespace {

using json = nlohmann::ordered_json;

constexpr std::size_t kHashRandomBytes = 16;

std::string params_json(const TokenRequest& r) {
  json j;
  j["allow"] = r.allow;
  j["max_rows"] = r.max_rows ? json(*r.max_rows) : json(nullptr);
  j["ttl_ms"] = r.ttl.count();
  if (!r.requested_by.empty()) j["requested_by"] = r.requested_by;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::vector<std::string> check_access_request(const config::Config& cfg,
                                              const TokenRequest& request) {
  std::vector<std::string> why = check_request(cfg, request);
  if (request.allow.empty()) {
    why.push_back("an access request names what it needs: at least one allow entry "
                  "(schema.table:action,...)");
  }
  if (request.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    why.push_back("an access request needs a reason: the approver decides on it");
  }
  return why;
}

Result<state::Approval> open_access_request(state::Store& store, const config::Config& cfg,
                                            const TokenRequest& request, std::int64_t now_ms,
                                            std::string id) {
  if (auto why = check_access_request(cfg, request); !why.empty()) {
    return fail(sqlstate::kInvalidParameterValue, reasons_text(why));
  }
  TokenRequest stored = request;
  // As issue_token stores them: the normalized spelling of each entry.
  for (auto& text : stored.allow) text = policy::parse_scope_entry(text)->written;
  state::Approval a;
  a.id = id.empty() ? state::new_approval_id() : std::move(id);
  a.agent = request.agent;
  a.statement_hash = kRequestHashPrefix + to_hex(auth::random_bytes(kHashRandomBytes));
  a.sql = request_line(stored);
  a.params = params_json(stored);
  a.rule = kRequestRule;
  a.reason = request.reason;
  a.created_ms = now_ms;
  a.expires_ms = now_ms + cfg.approvals.expire_after.count();
  return store.open_approval(a, now_ms);
}

std::optional<TokenRequest> requested_access(const state::Approval& a) {
  if (a.rule != kRequestRule || !a.statement_hash.starts_with(kRequestHashPrefix)) {
    return std::nullopt;
  }
  const json j = json::parse(a.params, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("allow") || !j["allow"].is_array() ||
      !j.contains("ttl_ms") || !j["ttl_ms"].is_number_integer()) {
    return std::nullopt;
  }
  TokenRequest r;
  r.agent = a.agent;
  r.reason = a.reason;
  r.request_id = a.id;
  for (const auto& e : j["allow"]) {
    if (!e.is_string()) return std::nullopt;
    r.allow.push_back(e.get<std::string>());
  }
  if (j.contains("max_rows") && j["max_rows"].is_number_integer()) {
    r.max_rows = j["max_rows"].get<std::int64_t>();
  }
  r.ttl = std::chrono::milliseconds(j["ttl_ms"].get<std::int64_t>());
  if (j.contains("requested_by") && j["requested_by"].is_string()) {
    r.requested_by = j["requested_by"].get<std::string>();
  }
  return r;
}

std::string reasons_text(const std::vector<std::string>& why) {
  std::string text;
  for (const auto& w : why) text += (text.empty() ? "" : "; ") + w;
  return text;
}

std::string request_line(const TokenRequest& request) {
  std::vector<policy::ScopeEntry> scope;
  for (const auto& text : request.allow) {
    if (auto e = policy::parse_scope_entry(text)) scope.push_back(std::move(*e));
  }
  std::optional<std::uint64_t> max_rows;
  if (request.max_rows && *request.max_rows >= 0) {
    max_rows = static_cast<std::uint64_t>(*request.max_rows);
  }
  return "ACCESS REQUEST " + policy::describe_scope(scope, max_rows) + " for " +
         human_duration(request.ttl.count());
}

}  // namespace airlock::access
