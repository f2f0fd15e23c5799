// Collection of an access request: the request's state, or its token once.
#include "access/collect.hpp"

#include <nlohmann/json.hpp>

#include "access/request.hpp"
#include "state/time_text.hpp"

namespace airlock::access {
namespace {

Collection answer(Collected status, state::Approval request) {
  Collection c;
  c.status = status;
  c.request = std::move(request);
  return c;
}

std::unexpected<Error> not_found(std::string_view id) {
  return fail(state::kNotFound, "no access request " + std::string(id));
}

}  // namespace

std::string_view to_string(Collected c) noexcept {
  switch (c) {
    case Collected::Pending: return "pending";
    case Collected::Approved: return "approved";
    case Collected::Denied: return "denied";
    case Collected::Expired: return "expired";
    case Collected::Collected: return "collected";
  }
  return "pending";
}

Result<Collection> collect_access(state::Store& store, const config::Config& cfg,
                                  std::string_view id, std::string_view agent,
                                  std::int64_t now_ms, std::string_view user) {
  auto found = store.get_approval(id, now_ms);
  if (!found) return std::unexpected(found.error());
  if (!*found) return not_found(id);
  state::Approval a = std::move(**found);
  auto wanted = requested_access(a);
  if (!wanted || (!agent.empty() && a.agent != agent)) return not_found(id);
  if (!user.empty() && !wanted->requested_by.empty() && wanted->requested_by != user) {
    return not_found(id);  // another login of the same agent (a narrower token, say)
  }

  switch (a.status) {
    case state::ApprovalStatus::Pending: return answer(Collected::Pending, std::move(a));
    case state::ApprovalStatus::Denied: return answer(Collected::Denied, std::move(a));
    case state::ApprovalStatus::Expired: return answer(Collected::Expired, std::move(a));
    case state::ApprovalStatus::Executed: return answer(Collected::Collected, std::move(a));
    case state::ApprovalStatus::Approved: break;
  }
  // Checked before the request is used up: a refusal leaves it approved, to be collected
  // once the policy grants the scope again (or to expire).
  wanted->issued_by = a.decided_by;
  if (auto why = check_request(cfg, *wanted); !why.empty()) {
    return fail(sqlstate::kInvalidParameterValue, "the approved request " + a.id +
                                                       " is no longer within agent " + a.agent +
                                                       "'s policy: " + reasons_text(why));
  }
  auto used = store.consume_approval(a.agent, a.statement_hash, now_ms);
  if (!used) return std::unexpected(used.error());
  if (!*used) {
    // Another collection won the race, or it expired in between: say which.
    auto again = store.get_approval(id, now_ms);
    if (!again) return std::unexpected(again.error());
    if (!*again) return not_found(id);
    const bool expired = (*again)->status == state::ApprovalStatus::Expired;
    return answer(expired ? Collected::Expired : Collected::Collected, std::move(**again));
  }
  auto issued = issue_token(store, cfg, *wanted, now_ms);
  if (!issued) {
    // The request is used up and no token exists: only a failing store gets here.
    return fail(issued.error().sqlstate.c_str(), "request " + a.id + " was collected but its token "
                                         "could not be stored: " + issued.error().message);
  }
  Collection c = answer(Collected::Approved, std::move(**used));
  c.token = std::move(*issued);
  return c;
}

std::string collection_json(const Collection& c) {
  using json = nlohmann::ordered_json;
  const state::Approval& a = c.request;
  json j;
  j["status"] = std::string(to_string(c.status));
  j["id"] = a.id;
  switch (c.status) {
    case Collected::Approved:
      j["user"] = c.token->token.id;
      j["password"] = c.token->secret;
      j["expires_at"] = state::utc_text(c.token->token.expires_ms);
      break;
    case Collected::Pending:
    case Collected::Expired: j["expires_at"] = state::utc_text(a.expires_ms); break;
    case Collected::Denied:
      j["decided_by"] = a.decided_by;
      j["note"] = a.note;
      break;
    case Collected::Collected: j["collected_at"] = state::utc_text(a.executed_ms); break;
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace airlock::access
