#include "http/approval_json.hpp"

#include <nlohmann/json.hpp>

#include "state/time_text.hpp"

namespace airlock::http {
namespace {

using nlohmann::json;

json time_or_null(std::int64_t ms) { return ms == 0 ? json(nullptr) : json(state::utc_text(ms)); }

json to_json(const state::Approval& a) {
  json params = json::parse(a.params, nullptr, /*allow_exceptions=*/false);
  if (params.is_discarded()) params = a.params;
  return json{
      {"id", a.id},
      {"agent", a.agent},
      {"status", state::to_string(a.status)},
      {"rule", a.rule},
      {"reason", a.reason},
      {"sql", a.sql},
      {"params", std::move(params)},
      {"rows", a.rows ? json(*a.rows) : json(nullptr)},
      {"statement_hash", a.statement_hash},
      {"created_at", time_or_null(a.created_ms)},
      {"expires_at", time_or_null(a.expires_ms)},
      {"decided_at", time_or_null(a.decided_ms)},
      {"executed_at", time_or_null(a.executed_ms)},
      {"created_ms", a.created_ms},
      {"expires_ms", a.expires_ms},
      {"decided_ms", a.decided_ms},
      {"executed_ms", a.executed_ms},
      {"decided_by", a.decided_by},
      {"note", a.note},
  };
}

// Invalid UTF-8 (which the store should never hold) becomes U+FFFD instead of throwing.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

std::string approval_json(const state::Approval& a) { return dump(to_json(a)); }

std::string approvals_json(const std::vector<state::Approval>& list) {
  json arr = json::array();
  for (const auto& a : list) arr.push_back(to_json(a));
  return dump(arr);
}

std::string approval_event_json(std::string_view event, const state::Approval& a) {
  return dump(json{{"event", event}, {"approval", to_json(a)}});
}

}  // namespace airlock::http
