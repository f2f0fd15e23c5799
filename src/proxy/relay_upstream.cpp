// Session: the relay loop from upstream to the client. Frames are relayed in batches straight
// from the receive buffer; a few types are inspected (ReadyForQuery, ParameterStatus, errors)
// and some rewritten: a denial marker's error into the denial, masked DataRows, and what the
// row guard and shadow mode answer in the client's place. Every DataRow is checked first
// (row_check_): a malformed one, or one wider or narrower than its RowDescription, ends the
// session like any other invalid message.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "core/bytes.hpp"
#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"
#include "protocol/row_check.hpp"
#include "proxy/frame_io.hpp"
#include "proxy/row_guard.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {
namespace {

using protocol::DecodeStatus;
using protocol::Frame;

}  // namespace

bool Session::rewrite_if_denial(const Frame& f, std::string& out) {
  while (!denials_.empty() && denials_.front().batch < completed_syncs_) denials_.pop_front();
  if (denials_.empty() || denials_.front().batch != completed_syncs_) return false;
  auto e = protocol::parse_error(f);
  // The marker is a bare identifier: PostgreSQL answers it with 42601 syntax_error.
  if (!e || e->sqlstate != "42601" || e->message.find(deny_marker_) == std::string_view::npos) {
    return false;
  }
  const Verdict v = std::move(denials_.front().verdict);
  denials_.pop_front();
  protocol::append_error(out, {.severity = "ERROR", .sqlstate = v.error.sqlstate,
                               .message = v.error.message, .hint = v.hint});
  return true;
}

bool Session::scrub_marker(const Frame& f, std::string& out) {
  if (f.type != 'E' && f.type != 'N') return false;
  const std::string_view body = f.body;
  const bool marker = !deny_marker_.empty() && body.find(deny_marker_) != std::string_view::npos;
  const bool guard = !guard_name_.empty() && (body.find(guard_name_) != std::string_view::npos ||
                                             body.find(guard_savepoint_) != std::string_view::npos);
  if (!marker && !guard) return false;
  spdlog::warn("agent={} session={}: a server message quoting Airlock's internal names was "
               "replaced", agent_, session_id_);
  if (f.type == 'E') {
    protocol::append_error(out, {.severity = "ERROR", .sqlstate = sqlstate::kInsufficientPrivilege,
                                 .message = "airlock: the statement was refused [gateway]",
                                 .hint = "Send the statement on its own to see why."});
  }
  return true;
}

net::awaitable<void> Session::upstream_to_client() {
  const std::size_t max = snap_->config->limits.max_message_bytes;
  RecvBuffer& ubuf = upstream_->buf;
  net::Stream& up = *upstream_->stream;
  std::string side;  // rewritten messages
  for (;;) {
    // Frames already buffered (e.g. after login) are relayed before reading more.
    if (protocol::typed_bytes_wanted(ubuf.data()) > 0 || ubuf.empty()) {
      auto space = ubuf.prepare(relay_read_size(ubuf, max, kUpstreamReadChunk));
      auto [ec, n] = co_await up.read_some(net::asio::buffer(space.data(), space.size()));
      if (ec || n == 0) {
        if (!closed_ && ec != net::asio::error::operation_aborted) {
          services_.counters.upstream_errors.fetch_add(1, std::memory_order_relaxed);
          spdlog::warn("upstream connection lost agent={}: {}", agent_, ec.message());
          co_await send_fatal(Error::make(sqlstate::kConnectionFailure,
                                          "airlock: lost the connection to the upstream server"));
        }
        co_return;
      }
      ubuf.commit(n);
    }
    const std::string_view data = ubuf.data();
    std::size_t off = 0;
    std::size_t fwd = 0;
    int ready = 0;
    bool bad = false;
    const char* why = "";  // when bad: what was wrong, for the log
    std::string why_detail;  // ... and figures, when there are any
    for (;;) {
      Frame f;
      const auto st = protocol::decode_typed(data.substr(off), max, f);
      if (st == DecodeStatus::NeedMore) break;
      if (st == DecodeStatus::Invalid || !protocol::is_backend_message_type(f.type)) {
        bad = true;
        why = st == DecodeStatus::Invalid ? "a length out of bounds" : "an unknown message type";
        break;
      }
      if (shadow_) {
        side.clear();
        const Shadow::Action act = shadow_frame(f, side);
        if (act == Shadow::Action::Fatal) {
          co_await write_client(data.substr(fwd, off - fwd));
          co_await send_fatal(Error::make(sqlstate::kInternalError,
                                          "airlock: shadow mode lost its upstream transaction; "
                                          "the session is closed [gateway.shadow]"));
          co_return;
        }
        if (act != Shadow::Action::Pass) {
          if (off > fwd && !co_await write_client(data.substr(fwd, off - fwd))) co_return;
          if (!side.empty() && !co_await write_client(side)) co_return;
          fwd = off + f.size;
          if (act == Shadow::Action::Swallow) {
            off += f.size;
            continue;
          }
        }
      }
      const bool to_guard = guard_ && guard_->state() == RowGuard::State::Running && f.type != 'S';
      // Every DataRow, masked or not: well formed, and as wide as its RowDescription when
      // that is known for sure (protocol/row_check.hpp).
      const protocol::RowVerdict rows =
          to_guard ? row_check_.foreign(f) : row_check_.answer(f, completed_syncs_, results_done_);
      if (rows.fault != protocol::RowFault::None) {
        bad = true;
        why = protocol::describe(rows.fault);
        if (rows.fault == protocol::RowFault::CountMismatch) {
          why_detail = ": " + std::to_string(load_be16(f.body.data())) + " against " +
                       std::to_string(rows.expected);
        }
        break;
      }
      if (!to_guard && f.type != 'Z') names_answer(f, 0);
      if (!to_guard && !mask_jobs_.empty() && f.type != 'Z' && f.type != 'S' && f.type != 'E') {
        side.clear();
        bool broken = false;
        if (!mask_frame(f, side, broken)) {
          if (broken) {
            bad = true;  // a result row not the shape decided: never forwarded
            why = "a result row of another shape than its masked columns";
            break;
          }
          if (off > fwd && !co_await write_client(data.substr(fwd, off - fwd))) co_return;
          if (!co_await write_client(side)) co_return;
          off += f.size;
          fwd = off;
          continue;
        }
      }
      // Results the client sees, in order (the guard's own commands are not among them).
      if (!to_guard && (f.type == 'C' || f.type == 'I' || f.type == 's')) ++results_done_;
      if (to_guard) {
        if (off > fwd && !co_await write_client(data.substr(fwd, off - fwd))) co_return;
        if (!co_await on_guard_frame(f, data.substr(off, f.size), ready)) co_return;
        off += f.size;
        fwd = off;
        continue;
      }
      if (f.type == 'Z') {
        auto s = protocol::parse_ready_for_query(f);
        if (!s) {
          bad = true;
          why = "a malformed ReadyForQuery";
          break;
        }
        txn_status_ = shadow_ ? shadow_->client_status() : *s;
        names_answer(f, txn_status_);
        ++ready;
        audit_outcomes(completed_syncs_);
        mask_batch_done(completed_syncs_);
        ++completed_syncs_;
      } else if (f.type == 'S') {
        auto p = protocol::parse_parameter_status(f);
        if (!p) {
          bad = true;
          why = "a malformed ParameterStatus";
          break;
        }
        if (!check_upstream_parameter(p->name, p->value)) {
          // A setting changed under us (SET, set_config, RESET): from here on the server
          // may read SQL differently from Airlock's parser. Fail closed.
          co_await write_client(data.substr(fwd, off - fwd));
          co_await send_fatal(Error::make(
              sqlstate::kInsufficientPrivilege,
              "airlock: session setting " + std::string(p->name) + " changed to \"" +
                  std::string(p->value) + "\"; Airlock cannot check SQL under it"));
          co_return;
        }
        if (p->name == "application_name") note_application_name(p->value);
      } else if (f.type == 'N') {
        side.clear();
        if (scrub_marker(f, side)) {  // dropped
          if (!co_await write_client(data.substr(fwd, off - fwd))) co_return;
          fwd = off + f.size;
        }
      } else if (f.type == 'R' || f.type == 'K') {
        bad = true;
        why = f.type == 'R' ? "an authentication request mid-session" : "BackendKeyData mid-session";
        break;
      } else if (f.type == 'E') {
        side.clear();
        const bool rewritten = rewrite_if_denial(f, side) || scrub_marker(f, side);
        if (!rewritten && !mask_jobs_.empty()) {
          bool unused = false;
          if (!mask_frame(f, side, unused)) {  // error text withheld: it may quote masked values
            audit_error(f);
            if (!co_await write_client(data.substr(fwd, off - fwd))) co_return;
            if (!co_await write_client(side)) co_return;
            off += f.size;
            fwd = off;
            continue;
          }
        }
        if (rewritten) {
          protocol::Frame mine;
          if (protocol::decode_typed(side, side.size(), mine) == DecodeStatus::Ready) audit_error(mine);
        } else {
          audit_error(f);
        }
        if (rewritten) {
          if (!co_await write_client(data.substr(fwd, off - fwd))) co_return;
          if (!co_await write_client(side)) co_return;
          fwd = off + f.size;
        }
      }
      off += f.size;
    }
    if (off > fwd && !co_await write_client(data.substr(fwd, off - fwd))) co_return;
    ubuf.consume(off);
    if (bad) {
      services_.counters.protocol_errors.fetch_add(1, std::memory_order_relaxed);
      // The header as it came: type byte and declared length (message bodies may hold data).
      const std::string_view rest = data.substr(off);
      const unsigned type = rest.empty() ? 0u : static_cast<unsigned char>(rest[0]);
      std::int64_t length = -1;
      if (rest.size() >= 5) length = static_cast<std::int64_t>(load_be32(rest.data() + 1));
      spdlog::error("upstream sent an invalid message agent={} session={}: {}{} (type 0x{:02x}, "
                    "declared length {})", agent_, session_id_, why, why_detail, type, length);
      co_await send_fatal(Error::make(sqlstate::kConnectionFailure,
                                      "airlock: the upstream server sent an invalid message"));
      co_return;
    }
    ubuf.shrink_if_idle();
    pending_syncs_ = std::max(0, pending_syncs_ - ready);
    if (awaiting_answers_) signal();  // a guarded Execute waits for its batch's answers
    if (ready > 0) signal();  // a guarded statement may be waiting for its turn
    // The client has the turn again: its idle clock starts now, not at its last read.
    if (ready > 0 && pending_syncs_ == 0) arm_client_read_deadline();
    if (draining_ && pending_syncs_ == 0) {
      co_await send_fatal(Error::make(sqlstate::kAdminShutdown,
                                      "terminating connection due to administrator command"));
      co_return;
    }
  }
}

}  // namespace airlock::proxy
