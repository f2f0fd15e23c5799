// Session: writes that run under the row guard (row_guard.hpp), and statements held for a
// human's approval.
//
// A guarded statement needs the transaction status as of its own start, so it waits until
// every earlier statement has been answered; while it runs, the client loop sends nothing
// else upstream and the upstream loop hands every server message to the guard.
#include <spdlog/spdlog.h>

#include <chrono>

#include "auth/crypto.hpp"
#include "core/hex.hpp"
#include "auth/scram.hpp"
#include "protocol/frontend.hpp"
#include "proxy/guard_text.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {

// Extended-protocol bookkeeping: the Executes of the current batch (masking counts results).
void Session::track_extended(const protocol::Frame& f) {
  if (f.type == 'S') batch_executes_ = 0;
}

std::string Session::guard_hash() const {
  std::string id = guard_stmt_.sql;
  id.push_back('\0');
  id.append(guard_stmt_.param_types);
  id.push_back('\0');
  id.append(guard_stmt_.bind_rest);
  return to_hex(auth::sha256(id));
}

net::awaitable<bool> Session::write_guard_upstream(std::string& up) {
  if (up.empty()) co_return true;
  const bool ok = co_await write_upstream(up);
  up.clear();
  co_return ok;
}

// Runs a guarded or held statement: `f` is the client's Query or Execute. Returns false when
// the session must end.
net::awaitable<bool> Session::run_guarded(const protocol::Frame& f, std::string_view raw,
                                          const GuardedStatement& g) {
  const bool simple = f.type == 'Q';
  // The statement must start from a known transaction status: let the server answer
  // everything before it (a Query was counted as pending already).
  const int own = simple ? 1 : 0;
  while (pending_syncs_ > own && !closed_) co_await wait_signal();
  if (closed_) co_return false;

  guard_stmt_ = g;
  guard_intent_.reset();
  if (!intents_.empty()) guard_intent_ = intents_.back();
  guard_approved_rows_.reset();
  guard_approved_ = false;
  guard_approval_id_.clear();
  guard_request_.clear();

  if (guard_stmt_.hold) {
    Verdict refused;
    const auto r = co_await hold_for_approval(std::nullopt, guard_stmt_.hold->rule,
                                              guard_stmt_.hold->reason, refused);
    if (r != HoldResult::Approved) co_return co_await forward_denied(f, std::move(refused));
  }
  if (!guard_stmt_.guard || txn_status_ == 'E') {
    // Approved and unguarded, or a failed transaction that will refuse it anyway: forward.
    if (!simple) ++batch_executes_;
    co_return co_await write_upstream(raw);
  }

  RowGuard::Options opt;
  opt.in_transaction = shadow_ || txn_status_ == 'T';  // shadow: the session's transaction
  // The batch's earlier messages are answered already (relay.cpp waits for them).
  opt.prefix_responses = 0;
  if (guard_name_.empty()) {
    // Reserved (a client may not name them) and random: never guessable from outside.
    guard_name_ = "airlock_g" + to_hex(auth::random_bytes(8));
    guard_savepoint_ = "airlock_s" + to_hex(auth::random_bytes(8));
  }
  opt.name = guard_name_;
  opt.savepoint = guard_savepoint_;
  opt.marker = deny_marker_;
  opt.block_is_ours = commit_at_sync_;
  opt.client_block = client_block_ && !commit_at_sync_;
  guard_.emplace(std::move(opt),
                 RowGuard::Statement{guard_stmt_.sql, guard_stmt_.param_types,
                                     guard_stmt_.bind_rest, simple});
  if (!simple) ++batch_executes_;
  std::string up;
  guard_->start(up);
  if (!co_await write_guard_upstream(up)) co_return false;
  // The upstream loop drives the guard from here; the client loop waits for the turn.
  while (guard_ && !closed_ && guard_->state() != RowGuard::State::AwaitClientSync) {
    co_await wait_signal();
  }
  co_return !closed_;
}

// The upstream loop's side: one server message while a guard runs. `ready` counts a
// ReadyForQuery relayed to the client.
net::awaitable<bool> Session::on_guard_frame(const protocol::Frame& f, std::string_view raw,
                                             int& ready) {
  std::string to_client;
  std::string up;
  guard_->on_frame(f, raw, to_client, up);
  if (f.type == 'E') audit_error(f);
  if (guard_->passed_ready()) {
    if (auto s = protocol::parse_ready_for_query(f)) {
      txn_status_ = shadow_ ? shadow_guard_ready(to_client, *s) : *s;
    }
    ++ready;
    audit_outcomes(completed_syncs_);
    mask_batch_done(completed_syncs_);
    ++completed_syncs_;
  }
  if (!to_client.empty()) {
    // What the client sees is what names_ follows; no marker may reach it.
    std::string seen;
    const std::size_t max = snap_->config->limits.max_message_bytes;
    for (std::size_t off = 0; off < to_client.size();) {
      protocol::Frame m;
      if (protocol::decode_typed(std::string_view(to_client).substr(off), max, m) !=
          protocol::DecodeStatus::Ready) {
        seen.append(to_client, off);
        break;
      }
      if (!scrub_marker(m, seen)) seen.append(to_client, off, m.size);
      names_answer(m, txn_status_);
      if (m.type == 'C' || m.type == 'I' || m.type == 's') ++results_done_;
      if (m.type == 'Z') results_done_ = 0;
      off += m.size;
    }
    if (!co_await write_client(seen)) co_return false;
  }
  if (!co_await write_guard_upstream(up)) co_return false;
  co_return co_await settle_guard();
}

net::awaitable<bool> Session::settle_guard() {
  using State = RowGuard::State;
  bool ok = true;
  while (ok && guard_) {
    const State st = guard_->state();
    if (st == State::Decide) {
      ok = co_await decide_guard();
    } else if (st == State::Undone) {
      ok = co_await finish_held_guard();
    } else {
      if (st == State::Done) {
        if (guard_->opens_block()) commit_at_sync_ = true;
        guard_.reset();
      }
      if (st != State::Running) signal();
      break;
    }
  }
  co_return ok;
}

// The statement ran and its rows are counted: keep it, roll it back, or hold it.
net::awaitable<bool> Session::decide_guard() {
  const RowCount& rc = guard_->rows();
  const GuardSpec& spec = *guard_stmt_.guard;
  std::string up;
  const std::string what = describe_write(spec);
  std::optional<std::uint64_t> limit = spec.row_limit;
  if (guard_approved_rows_) limit = std::max(limit.value_or(0), *guard_approved_rows_);

  if (!guard_approved_ && limit && rc.total > *limit) {
    if (spec.hold_over_limit) {
      // Approved earlier (the agent re-sends after a timed-out hold)? Then it runs once.
      if (services_.store) {
        auto a = services_.store->consume_approval(agent_, guard_hash(), now_ms());
        if (a && *a && (!(*a)->rows || static_cast<std::uint64_t>(*(*a)->rows) >= rc.total)) {
          guard_approved_ = true;
          spdlog::info("agent={} approved write runs: request {} rows={}", agent_, (*a)->id, rc.total);
          audit_guard("committed", rc.total, limit, (*a)->id);
          guard_->commit(up);
          co_return co_await write_guard_upstream(up);
        }
      }
      guard_request_ = "over_limit";
      audit_guard("rolled_back", rc.total, limit, {});
      guard_->undo_for_retry(up);
      co_return co_await write_guard_upstream(up);
    }
    services_.counters.guard_rollbacks.fetch_add(1, std::memory_order_relaxed);
    services_.metrics.guard_rollbacks_total.labels({agent_}).inc();
    audit_guard("rolled_back", rc.total, limit, {});
    spdlog::info("agent={} row guard rolled back {}: {} rows > {}", agent_, what, rc.total, *limit);
    guard_->roll_back(
        up,
        Error::make(sqlstate::kInsufficientPrivilege,
                    "airlock: this " + what + " would change " + std::to_string(rc.total) +
                        " rows; the limit for " + agent_ + " is " + std::to_string(*limit) +
                        " [" + spec.rule + "]"),
        "Nothing was changed. Narrow the WHERE clause to at most " + std::to_string(*limit) +
            " rows, or ask for a human approval of this write.");
    co_return co_await write_guard_upstream(up);
  }

  // Budgets: charge the rows to each; the first that would overflow undoes the write.
  std::vector<std::int64_t> charges;
  for (const auto& b : spec.budgets) {
    std::uint64_t rows = 0;
    if (b.tables.empty()) {
      rows = rc.total;
    } else {
      for (const auto& t : b.tables) {
        if (auto it = rc.tables.find(t); it != rc.tables.end()) rows += it->second;
      }
    }
    if (rows == 0) continue;
    const std::int64_t max = guard_approved_ ? INT64_MAX : b.max_rows;
    auto c = shadow_ ? shadow_budget(b, rows, max)
           : services_.store ? services_.store->try_charge(agent_, b.id, static_cast<std::int64_t>(rows),
                                                           max, b.window_ms, now_ms())
                             : Result<state::Charge>(std::unexpected(Error::make(
                                   sqlstate::kInternalError, "no state store")));
    if (c && c->accepted) {
      if (!shadow_) charges.push_back(c->charge_id);
      continue;
    }
    for (auto id : charges) (void)services_.store->refund(id);
    if (c && b.hold && !guard_approved_) {
      guard_request_ = "budget:" + b.id;
      audit_guard("rolled_back", rc.total, limit, {});
      guard_->undo_for_retry(up);
      co_return co_await write_guard_upstream(up);
    }
    services_.counters.guard_rollbacks.fetch_add(1, std::memory_order_relaxed);
    services_.metrics.guard_rollbacks_total.labels({agent_}).inc();
    audit_guard("rolled_back", rc.total, limit, {});
    std::string msg = c ? "this " + what + " would change " + std::to_string(rows) + " rows, but " +
                              agent_ + "'s budget " + b.id + " allows " +
                              std::to_string(b.max_rows) + " rows per " +
                              human_duration(b.window_ms) + " and " + std::to_string(c->used) +
                              " are used [" + b.id + "]"
                        : "the write budget " + b.id + " cannot be checked (" + c.error().message +
                              "), so the write was rolled back [gateway.row_guard]";
    spdlog::info("agent={} {}", agent_, msg);
    guard_->roll_back(up, Error::make(sqlstate::kInsufficientPrivilege, "airlock: " + msg),
                      "Nothing was changed. Wait for the window to free up, or ask for a "
                      "human approval of this write.");
    co_return co_await write_guard_upstream(up);
  }
  audit_guard("committed", rc.total, limit, guard_approved_ ? guard_approval_id_ : std::string());
  guard_->commit(up);
  co_return co_await write_guard_upstream(up);
}

// An over-limit or over-budget write was undone and needs a human: wait, then run it again
// (under the approved count) or refuse it.
net::awaitable<bool> Session::finish_held_guard() {
  const RowCount rc = guard_->rows();
  const GuardSpec& spec = *guard_stmt_.guard;
  const std::string what = describe_write(spec);
  const bool budget = guard_request_.starts_with("budget:");
  const std::string rule = budget ? guard_request_.substr(7) : spec.rule;
  const std::string reason = "this " + what + " would change " + std::to_string(rc.total) +
                             " rows, over " + (budget ? "the budget " + rule
                                                      : "the limit of " +
                                                            std::to_string(spec.row_limit.value_or(0)));
  Verdict refused;
  const auto r = co_await hold_for_approval(rc.total, rule, reason, refused);
  std::string up;
  if (r == HoldResult::Approved) {
    guard_approved_ = true;
    guard_approved_rows_ = rc.total;
    guard_->run_again(up);
  } else {
    guard_->roll_back(up, refused.error, refused.hint);
  }
  co_return co_await write_guard_upstream(up);
}

}  // namespace airlock::proxy
