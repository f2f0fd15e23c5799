// Session: shadow mode (shadow.hpp) wired into the relay loops, the row guard, budgets and
// the audit trail.
#include <spdlog/spdlog.h>

#include <chrono>

#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"
#include "protocol/rows.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {

net::awaitable<bool> Session::shadow_begin_batch() {
  // The fix-up depends on how the previous batch ended.
  while (pending_syncs_ > 0 && !closed_) co_await wait_signal();
  if (closed_) co_return false;
  shadow_rows_.clear();
  std::string up;
  shadow_->begin_batch(up);
  co_return up.empty() || co_await write_upstream(up);
}

std::optional<Verdict> Session::shadow_statement(const protocol::Frame& f, const Verdict& v,
                                                 std::string& out) {
  const StatementInfo* info = v.info.get();
  if (!info) {
    // Every statement the policy allows is classified; anything else could be a COMMIT.
    return Verdict::deny(Error::make(sqlstate::kInternalError,
                                     "airlock: shadow mode cannot classify this statement "
                                     "[gateway.shadow]"));
  }
  const bool emulated = info->tx == TxControl::Begin || info->tx == TxControl::Commit ||
                        info->tx == TxControl::Rollback;
  if (f.type == 'Q') {
    std::optional<Shadow::Rewrite> r;
    if (emulated) r = shadow_->rewrite_for(info->tx);
    std::string after;
    if (auto refused = shadow_->on_execute(info, r, true, after)) return refused;
    if (r && *r != Shadow::Rewrite::Forward) protocol::append_query(out, Shadow::sql_of(*r, true));
    return std::nullopt;
  }
  auto p = protocol::parse_parse(f);
  if (!p) return std::nullopt;  // refused as malformed before the hook
  if (!emulated) {
    shadow_->on_parse(p->statement, std::nullopt);
    return std::nullopt;
  }
  // Rewritten for the state of this batch; on_execute refuses it in another state.
  const Shadow::Rewrite r = shadow_->rewrite_for(info->tx);
  shadow_->on_parse(p->statement, r);
  if (r != Shadow::Rewrite::Forward) {
    protocol::append_parse(out, p->statement, Shadow::sql_of(r, false), p->param_types);
  }
  return std::nullopt;
}

void Session::shadow_bind(const protocol::Frame& f) {
  if (auto b = protocol::parse_bind(f)) shadow_->on_bind(b->portal, b->statement);
}

std::optional<Verdict> Session::shadow_execute(const protocol::Frame& f, std::string_view raw,
                                               const StatementInfo* info, std::string& out) {
  auto e = protocol::parse_execute(f);
  if (!e) return std::nullopt;  // the server refuses it
  std::string after;
  if (auto refused = shadow_->on_execute(info, shadow_->portal_rewrite(e->portal), false, after)) {
    return refused;
  }
  if (!after.empty()) {
    out.assign(raw);
    out += after;
  }
  return std::nullopt;
}

Shadow::Action Session::shadow_frame(const protocol::Frame& f, std::string& out) {
  const bool guard_running = guard_ && guard_->state() == RowGuard::State::Running;
  const auto act = shadow_->on_frame(f, guard_running, out);
  if (act == Shadow::Action::Pass && f.type == 'C' && !guard_running) {
    const auto tag = protocol::parse_command_complete(f);
    shadow_rows_.push_back(tag ? changed_rows_in_tag(*tag) : std::nullopt);
  }
  if (act == Shadow::Action::Fatal) {
    spdlog::error("agent={} session={} shadow mode lost its upstream transaction: {}", agent_,
                  session_id_, shadow_->fatal_reason());
  }
  return act;
}

char Session::shadow_guard_ready(std::string& to_client, char upstream_status) {
  if (upstream_status == 'I') {
    // The session's transaction ended: nothing more may run. Fail closed.
    spdlog::error("agent={} session={} shadow mode lost its upstream transaction after a "
                  "guarded write", agent_, session_id_);
    to_client.clear();
    close_both();
    return 'I';
  }
  const char status = shadow_->ready(upstream_status);
  // The guard relays the server's ReadyForQuery last: 'Z', length 5, status.
  const std::size_t n = to_client.size();
  if (n >= 6 && to_client[n - 6] == 'Z' && to_client[n - 2] == 5) to_client[n - 1] = status;
  return status;
}

std::optional<std::int64_t> Session::shadow_rows(std::size_t index, std::size_t count) const {
  // Intents and CommandCompletes of a batch pair up when they are as many (extended
  // protocol); a Query's statements all belong to its one intent.
  std::optional<std::int64_t> sum;
  if (count == 1) {
    for (const auto& r : shadow_rows_) {
      if (r) sum = sum.value_or(0) + static_cast<std::int64_t>(*r);
    }
    return sum;
  }
  if (count == shadow_rows_.size() && index < count && shadow_rows_[index]) {
    return static_cast<std::int64_t>(*shadow_rows_[index]);
  }
  return std::nullopt;
}

// Budgets are checked as in enforce mode but not charged: nothing a shadow session writes
// is committed. Its own writes count against it for the rest of the session.
Result<state::Charge> Session::shadow_budget(const BudgetRef& b, std::uint64_t rows,
                                             std::int64_t max_rows) {
  if (!services_.store) return fail(sqlstate::kInternalError, "no state store");
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  auto used = services_.store->used(agent_, b.id, b.window_ms, now);
  if (!used) return std::unexpected(used.error());
  std::int64_t& mine = shadow_budget_used_[b.id];
  state::Charge c;
  c.used = *used + mine;
  c.accepted = static_cast<std::int64_t>(rows) <= max_rows - c.used;
  if (c.accepted) mine += static_cast<std::int64_t>(rows);
  return c;
}

}  // namespace airlock::proxy
