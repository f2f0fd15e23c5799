// Session: the relay loop from the client to upstream (relay_upstream.cpp has the other).
//
// Each loop reads what is available, frames every complete message, inspects the few
// types that matter, and forwards the whole batch with one write straight from the receive
// buffer (no copy). A statement the hook denies is replaced upstream by a syntax error so
// that PostgreSQL aborts, skips to Sync and answers in pipeline order exactly as it would
// for its own error; its ErrorResponse is rewritten into the denial on the way back.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "auth/scram.hpp"
#include "protocol/backend.hpp"
#include "protocol/builder.hpp"
#include "protocol/frontend.hpp"
#include "proxy/frame_io.hpp"
#include "proxy/row_guard.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {
namespace {

using protocol::DecodeStatus;
using protocol::Frame;

}  // namespace

net::awaitable<bool> Session::forward_denied(const Frame& f, Verdict v) {
  std::string out;
  if (f.type == 'P') {
    auto p = protocol::parse_parse(f);
    protocol::MessageBuilder b(out);
    b.begin('P').cstring(p ? p->statement : std::string_view{}).cstring(deny_marker_).i16(0).end();
  } else if (f.type == 'Q' || f.type == 'F') {
    protocol::append_query(out, deny_marker_);
  } else {
    // Bind, Execute, Describe or Close inside a batch: a Parse that fails the same way, under
    // a name of Airlock's.
    protocol::append_parse(out, deny_marker_, deny_marker_);
  }
  // A Query or FunctionCall is its own sync point and was counted already; a Parse belongs
  // to the batch its next Sync closes.
  const bool own_sync = f.type == 'Q' || f.type == 'F';
  denials_.push_back(Denial{forwarded_syncs_ - (own_sync ? 1 : 0), std::move(v)});
  co_return co_await write_upstream(out);
}

// Sends `before` (client messages not forwarded yet) and waits until the server has answered
// every message sent, or skips the rest of the open batch: then names_ is exact.
net::awaitable<bool> Session::await_names(std::string_view before) {
  if (!before.empty() && !co_await write_upstream(before)) co_return false;
  if (names_.settled()) co_return true;
  std::string flush;  // answers to an open batch come only on Flush or Sync
  protocol::append_flush(flush);
  if (!co_await write_upstream(flush)) co_return false;
  awaiting_answers_ = true;
  while (!names_.settled() && !closed_) co_await wait_signal();
  awaiting_answers_ = false;
  co_return !closed_;
}

// Whether the text may use an SQL prepared statement or a cursor by name (a cheap test: a
// false positive only waits for answers in flight).
static bool mentions_names(std::string_view sql) {
  static constexpr std::string_view kWords[] = {"execute", "fetch", "move"};
  for (auto word : kWords) {
    auto it = std::search(sql.begin(), sql.end(), word.begin(), word.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == b;
    });
    if (it != sql.end()) return true;
  }
  return false;
}

bool Session::uncertain(protocol::NameState::Ns ns, std::string_view name) const {
  return !names_.settled() && names_.lookup(ns, name).state == protocol::NameState::State::Uncertain;
}

net::awaitable<void> Session::client_to_upstream() {
  const std::size_t max = snap_->config->limits.max_message_bytes;
  StatementHook& hook = *hook_;
  // EXECUTE is judged by the PREPARE the server is known to hold under its name.
  hook.set_prepared_lookup([this](std::string_view name) -> std::optional<policy::Decision> {
    const auto slot = names_.lookup(protocol::NameState::Ns::Statement, name);
    if (slot.state != protocol::NameState::State::Known) return std::nullopt;
    const auto* s = static_cast<const PreparedStatement*>(slot.value.get());
    if (!s->sql_decision) return std::nullopt;
    return *s->sql_decision;
  });
  for (;;) {
    // Bytes may already be buffered (pipelined behind the last SASL message).
    if (!frame_ready(cbuf_, max)) {
      arm_client_read_deadline();
      auto space = cbuf_.prepare(relay_read_size(cbuf_, max, kClientReadChunk));
      auto [ec, n] = co_await client_.read_some(net::asio::buffer(space.data(), space.size()));
      client_read_deadline_ = Clock::time_point::max();
      if (ec || n == 0) co_return;  // the client went away; run() cleans up
      cbuf_.commit(n);
    }

    const std::string_view data = cbuf_.data();
    std::size_t off = 0;
    std::size_t fwd = 0;  // start of the range not yet forwarded
    for (;;) {
      Frame f;
      const auto st = protocol::decode_typed(data.substr(off), max, f);
      if (st == DecodeStatus::NeedMore) break;
      if (st == DecodeStatus::Invalid || !protocol::is_frontend_message_type(f.type) ||
          f.type == 'p') {
        services_.counters.protocol_errors.fetch_add(1, std::memory_order_relaxed);
        co_await write_upstream(data.substr(fwd, off - fwd));
        co_await send_fatal(Error::make(sqlstate::kProtocolViolation,
                                        st == DecodeStatus::Invalid
                                            ? "airlock: invalid message length"
                                            : "airlock: unexpected message type"));
        co_return;
      }
      // PostgreSQL skips a Query or FunctionCall sent inside an extended batch that has
      // failed, without a ReadyForQuery; libpq never sends one there. Refusing it keeps the
      // sync accounting exact.
      if ((f.type == 'Q' || f.type == 'F') && extended_open_) {
        // The batch before it is not forwarded either: without its Sync nothing of it could
        // commit before the session closes, and its answers would race the fatal error.
        services_.counters.protocol_errors.fetch_add(1, std::memory_order_relaxed);
        co_await send_fatal(Error::make(
            sqlstate::kProtocolViolation,
            "airlock: a simple Query inside an unfinished extended-protocol batch (no Sync) "
            "is not supported"));
        co_return;
      }
      // Which RowDescription the DataRows of each result answer to (row_check.hpp).
      row_check_.client(f, forwarded_syncs_, static_cast<std::size_t>(batch_executes_));
      if (shadow_ && !extended_open_ && starts_batch(f.type)) {
        // Shadow mode: one batch at a time, behind the fix-up of the one before.
        if (off > fwd && !co_await write_upstream(data.substr(fwd, off - fwd))) co_return;
        fwd = off;
        if (!co_await shadow_begin_batch()) co_return;
      }
      std::optional<Verdict> denied;
      std::string replaced;  // shadow mode: what goes upstream in this message's place
      switch (f.type) {
        case 'Q':
        case 'P': {
          const bool is_query = f.type == 'Q';
          StatementEvent ev;
          ev.source = is_query ? StatementSource::SimpleQuery : StatementSource::Parse;
          ev.agent = agent_;
          ev.transaction_status = txn_status_;
          ev.session_intent = session_intent();
          if (is_query) {
            auto q = protocol::parse_query(f);
            if (q) ev.sql = *q;
            if (!q) denied = Verdict::deny(Error::make(sqlstate::kProtocolViolation, "airlock: malformed Query message"));
          } else {
            auto p = protocol::parse_parse(f);
            if (p) {
              ev.sql = p->query;
              ev.statement_name = p->statement;
            } else {
              denied = Verdict::deny(Error::make(sqlstate::kProtocolViolation, "airlock: malformed Parse message"));
            }
          }
          Verdict v;
          std::shared_ptr<const StatementInfo> info;
          if (!denied && !names_.settled() && mentions_names(ev.sql)) {
            // EXECUTE, FETCH and MOVE are judged by what the server holds under the name:
            // let the batches in flight answer first.
            if (!co_await await_names(data.substr(fwd, off - fwd))) co_return;
            fwd = off;
          }
          if (!denied) {
            const auto t0 = Clock::now();
            v = hook.on_statement(ev);
            services_.metrics.added_latency_seconds.observe(Clock::now() - t0);
            info = v.info;
            if (!v.forward) denied = std::move(v);
          }
          if (shadow_ && !denied) {
            if (auto refused = shadow_statement(f, v, replaced)) denied = std::move(refused);
          }
          // A Query is recorded now; a Parse when its portal is executed (or now, if denied).
          if (info && (is_query || denied)) {
            Verdict refusal;
            if (!audit_intent(*info, forwarded_syncs_, refusal) && !denied) denied = std::move(refusal);
          }
          bool traffic_refused = false;
          if (traffic_ && (denied ? info != nullptr : is_query)) {
            // (Messages before it wait in the buffer while a delay runs: one write later.)
            // A denied Query or Parse meets the pause and its breaker too: a retried denial
            // is refused (and tarpitted) by them once they are open.
            if (auto refused = co_await admit(info, forwarded_syncs_, denied.has_value())) {
              denied = std::move(refused);
              traffic_refused = true;
            }
          }
          if (is_query) count_statement(denied ? &*denied : &v);
          if (is_query && !denied) queue_mask(v.mask, forwarded_syncs_, 0, true, {});
          if (is_query && !denied) row_check_.query(forwarded_syncs_);
          // A policy denial is a failure for the breaker too (retrying a refused statement is
          // the storm it exists for); the breaker's own refusals are not counted again.
          if (denied && !traffic_refused && traffic_ && info) {
            traffic_->record_failure(info->fingerprint, traffic::Clock::now(), denied->error.message);
          }
          // Refused while nothing is in flight and no transaction is open: answered here, so
          // a refused retry loop never reaches PostgreSQL (with a transaction open, upstream
          // must see the error to fail the transaction the same way).
          if (is_query && denied && pending_syncs_ == 0 && txn_status_ == 'I' && !extended_open_ &&
              mode_ != "shadow") {
            if (off > fwd && !co_await write_upstream(data.substr(fwd, off - fwd))) co_return;
            std::string out;
            protocol::append_error(out, {.severity = "ERROR", .sqlstate = denied->error.sqlstate,
                                         .message = denied->error.message, .hint = denied->hint});
            protocol::append_ready_for_query(out, 'I');
            batch_sqlstate_ = denied->error.sqlstate;
            batch_error_ = denied->error.message;
            audit_outcomes(forwarded_syncs_);
            if (!co_await write_client(out)) co_return;
            off += f.size;
            fwd = off;
            continue;
          }
          if (!is_query) {
            if (auto refused = on_parse(f, denied ? nullptr : &v)) denied = std::move(refused);
          } else if (!denied) {
            // FETCH of a protocol portal (it would run the portal's statement).
            if (auto refused = check_uses(v.effects.get())) denied = std::move(refused);
          }
          if (is_query) {
            note_query(denied ? nullptr : &v);
            ++pending_syncs_;
            ++forwarded_syncs_;
            if (!denied && (v.guard || v.hold)) {
              // Runs under the row guard or waits for approval; answered in full before the
              // next message is read.
              if (!co_await write_upstream(data.substr(fwd, off - fwd))) co_return;
              const GuardedStatement g{v.guard, v.hold, std::string(ev.sql), {}, {}};
              if (!co_await run_guarded(f, data.substr(off, f.size), g)) co_return;
              fwd = off + f.size;
            }
          } else {
            track_extended(f);
          }
          break;
        }
        case 'B':
          track_extended(f);
          if (auto b = protocol::parse_bind(f); b && uncertain(protocol::NameState::Ns::Statement, b->statement)) {
            // Earlier batches in flight decide what the name holds: wait for their answers.
            if (!co_await await_names(data.substr(fwd, off - fwd))) co_return;
            fwd = off;
          }
          if (auto refused = on_bind(f)) {
            denied = std::move(refused);
            break;
          }
          if (shadow_) shadow_bind(f);
          break;
        case 'D': case 'C':
          track_extended(f);
          if (auto refused = on_describe_close(f)) denied = std::move(refused);
          break;
        case 'H':
          track_extended(f);
          break;
        case 'E': {
          if (auto e = protocol::parse_execute(f); e && uncertain(protocol::NameState::Ns::Portal, e->portal)) {
            if (!co_await await_names(data.substr(fwd, off - fwd))) co_return;
            fwd = off;
          }
          std::shared_ptr<const BoundPortal> portal;
          if (auto refused = check_execute(f, portal)) denied = std::move(refused);
          if (denied) {
            note_execute(nullptr);
            break;
          }
          const PreparedStatement& ps = *portal->statement;
          // An earlier message of this batch was refused (replaced by one that fails): the
          // server skips this Execute, so the trail gets no intent of a statement never run.
          const bool skipped = !denials_.empty() && denials_.back().batch == forwarded_syncs_;
          if (!skipped) {
            Verdict refusal;
            if (!audit_intent(*ps.info, forwarded_syncs_, refusal)) denied = std::move(refusal);
          }
          if (!denied && traffic_) {
            if (auto refused = co_await admit(ps.info, forwarded_syncs_)) denied = std::move(refused);
          }
          if (!denied && shadow_) {
            if (auto refused = shadow_execute(f, data.substr(off, f.size), ps.info.get(), replaced)) {
              denied = std::move(refused);
            }
          }
          if (!denied && (ps.guard || ps.hold)) {
            auto e = protocol::parse_execute(f);
            if (!e || (e->max_rows != 0 && ps.guard && ps.guard->returns_rows)) {
              denied = Verdict::deny(
                  Error::make(sqlstate::kFeatureNotSupported,
                              "airlock: a write under a row limit, budget or hold cannot run "
                              "with a row limit on Execute [gateway.row_guard]"),
                  "Execute it without a row limit (fetch size).");
            }
          }
          if (denied) {
            note_execute(nullptr);
            break;
          }
          count_statement(nullptr);
          if (ps.mask) {
            queue_mask(ps.mask, forwarded_syncs_, static_cast<std::size_t>(batch_executes_), false,
                       portal->formats, ps.described);
          }
          if (!ps.guard && !ps.hold) {
            note_execute(portal.get());
            ++batch_executes_;
            break;
          }
          // The guarded write needs the batch's earlier messages answered first: they may have
          // failed (then the server skips this Execute, and nothing is to be guarded).
          if (!co_await await_names(data.substr(fwd, off - fwd))) co_return;
          fwd = off;
          note_execute(portal.get());
          if (names_.batch_failed()) {  // forwarded as it is; the server skips it
            ++batch_executes_;
            break;
          }
          const GuardedStatement g{ps.guard, ps.hold, ps.sql, ps.param_types, portal->bind_rest};
          if (!co_await run_guarded(f, data.substr(off, f.size), g)) co_return;
          fwd = off + f.size;
          break;
        }
        case 'S': {
          const bool awaiting_rollback =
              guard_ && guard_->state() == RowGuard::State::AwaitClientSync;
          if (commit_at_sync_ && !awaiting_rollback) {
            // What came after the guarded write is answered first, through the normal path
            // (masks, errors), before the COMMIT that follows this Sync.
            if (!co_await await_names(data.substr(fwd, off - fwd))) co_return;
            fwd = off;
          }
          ++pending_syncs_;
          ++forwarded_syncs_;
          extended_open_ = false;
          track_extended(f);
          names_.sync();
          if (awaiting_rollback) {
            // Airlock's own block failed with the statement: roll it back right behind the
            // client's Sync, before anything else of the client's reaches the server.
            std::string up(data.substr(fwd, off + f.size - fwd));
            guard_->after_client_sync(up);
            if (!co_await write_upstream(up)) co_return;
            fwd = off + f.size;
            commit_at_sync_ = false;
          } else if (commit_at_sync_) {
            // A guarded write opened a block for this autocommit batch: it commits with the
            // client's Sync (or rolls back, if the batch failed after the write).
            std::string up(data.substr(fwd, off + f.size - fwd));
            guard_.emplace(RowGuard::Options{}, RowGuard::Statement{{}, {}, {}, false});
            guard_->commit_at_sync(up);
            if (!co_await write_upstream(up)) co_return;
            fwd = off + f.size;
            commit_at_sync_ = false;
          }
          break;
        }
        case 'F':
          // The legacy fast-path FunctionCall bypasses SQL entirely: refuse it.
          ++pending_syncs_;
          ++forwarded_syncs_;
          note_query(nullptr);  // replaced by a Query that fails
          denied = Verdict::deny(
              Error::make(sqlstate::kFeatureNotSupported,
                          "airlock: the FunctionCall protocol message is not supported"),
              "Call the function with SELECT instead.");
          break;
        case 'X':
          client_terminated_ = true;
          co_await write_upstream(data.substr(fwd, off + f.size - fwd));
          co_return;
        default:
          break;
      }
      if (f.type == 'P' || f.type == 'B' || f.type == 'D' || f.type == 'E' || f.type == 'C' ||
          f.type == 'H') {
        extended_open_ = true;
      }
      if (denied) {
        if (!co_await write_upstream(data.substr(fwd, off - fwd))) co_return;
        if (!co_await forward_denied(f, std::move(*denied))) co_return;
        fwd = off + f.size;
      } else if (!replaced.empty()) {
        if (!co_await write_upstream(data.substr(fwd, off - fwd))) co_return;
        if (!co_await write_upstream(replaced)) co_return;
        fwd = off + f.size;
      }
      off += f.size;
    }
    if (off > fwd && !co_await write_upstream(data.substr(fwd, off - fwd))) co_return;
    cbuf_.consume(off);
    cbuf_.shrink_if_idle();
  }
}

}  // namespace airlock::proxy
