// Session: statements held for a human's approval. The request lives in the state store
// (so a CLI in another process, or the admin API, can decide it); the session polls it until
// approvals.hold_wait, and consumes an approval atomically, so it runs exactly once.
#include <spdlog/spdlog.h>

#include "auth/scram.hpp"
#include "proxy/guard_text.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {

// Opens (or joins) the approval request for this statement and waits up to hold_wait.
net::awaitable<Session::HoldResult> Session::hold_for_approval(std::optional<std::uint64_t> rows,
                                                               const std::string& rule,
                                                               const std::string& reason,
                                                               Verdict& refused) {
  const auto& cfg = *snap_->config;
  auto* store = services_.store.get();
  if (!store) {
    refused = refusal("held for human approval: " + reason + " [" + rule +
                          "]; no state store is configured (state.path)",
                      {});
    co_return HoldResult::Failed;
  }
  const std::string hash = guard_hash();
  // Approved before (an earlier attempt timed out and the agent sends it again): run once.
  if (auto a = store->consume_approval(agent_, hash, now_ms()); a && *a) {
    spdlog::info("agent={} approved statement runs: request {}", agent_, (*a)->id);
    guard_approval_id_ = (*a)->id;
    if (local_) local_->approval_id = (*a)->id;
    co_return HoldResult::Approved;
  }
  state::Approval req;
  req.id = state::new_approval_id();
  req.agent = agent_;
  req.statement_hash = hash;
  req.sql = guard_stmt_.sql;
  req.params = guard_stmt_.bind_rest.empty() ? "[]" : "[\"<" + std::to_string(guard_stmt_.bind_rest.size()) + " bytes of parameters>\"]";
  if (rows) req.rows = static_cast<std::int64_t>(*rows);
  req.rule = rule;
  req.reason = reason;
  req.created_ms = now_ms();
  req.expires_ms = req.created_ms + cfg.approvals.expire_after.count();
  auto opened = store->open_approval(req, req.created_ms);
  if (!opened) {
    refused = refusal("held for human approval, but the request could not be stored (" +
                          opened.error().message + ") [" + rule + "]",
                      {});
    co_return HoldResult::Failed;
  }
  const std::string id = opened->id;
  if (local_) local_->approval_id = id;
  services_.counters.holds_pending.fetch_add(1, std::memory_order_relaxed);
  services_.metrics.holds_pending.inc();
  spdlog::info("agent={} held: request {} rule={} reason={}", agent_, id, rule, reason);
  if (services_.notify_hold) services_.notify_hold(*opened);

  const auto wait = local_ && local_->hold_wait ? *local_->hold_wait : cfg.approvals.hold_wait;
  const auto deadline = Clock::now() + wait;
  net::asio::steady_timer timer(client_.executor());
  HoldResult result = HoldResult::Failed;
  std::string note;
  std::string by;
  for (;;) {
    auto got = store->get_approval(id, now_ms());
    if (got && *got && (*got)->status == state::ApprovalStatus::Approved) {
      auto used = store->consume_approval(agent_, hash, now_ms());
      if (used && *used) {
        result = HoldResult::Approved;
        guard_approval_id_ = id;
        break;
      }
    }
    if (got && *got && (*got)->status == state::ApprovalStatus::Denied) {
      result = HoldResult::Denied;
      note = (*got)->note;
      by = (*got)->decided_by;
      break;
    }
    if (Clock::now() >= deadline || closed_) break;
    timer.expires_after(std::min<Clock::duration>(std::chrono::milliseconds(200),
                                                  deadline - Clock::now()));
    co_await timer.async_wait(net::nothrow);
  }
  services_.counters.holds_pending.fetch_sub(1, std::memory_order_relaxed);
  services_.metrics.holds_pending.dec();
  switch (result) {
    case HoldResult::Approved:
      spdlog::info("agent={} request {} approved", agent_, id);
      break;
    case HoldResult::Denied:
      refused = refusal("request " + id + " was denied" + (by.empty() ? "" : " by " + by) +
                            (note.empty() ? "" : ": " + note) + " [" + rule + "]",
                        "Do not retry this statement as is.");
      break;
    case HoldResult::Failed:
      refused = refusal("held for human approval: " + reason + " [" + rule + "]; request " + id +
                            (wait.count() == 0 ? std::string(" waits for an approver")
                                               : " is still pending after " +
                                                     human_duration(wait.count())),
                        "Ask an approver to run `airlock approvals approve " + id +
                            "`, then send the same statement again: it will run once.");
      break;
  }
  co_return result;
}

}  // namespace airlock::proxy
