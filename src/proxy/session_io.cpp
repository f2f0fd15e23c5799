// Session: writes under the client write lock, deadlines and the watchdog that enforces
// them. Every write has a deadline; the watchdog never waits behind a stuck write.
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "protocol/backend.hpp"
#include "proxy/guard_text.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {

void Session::signal() { signal_timer_.cancel(); }

net::awaitable<void> Session::wait_signal() {
  co_await signal_timer_.async_wait(net::nothrow);
}

net::awaitable<bool> Session::write_client(std::string_view bytes) {
  while (client_write_busy_ && !closed_) co_await wait_signal();
  if (closed_ && !client_.is_open()) co_return false;
  client_write_busy_ = true;
  client_write_deadline_ = Clock::now() + snap_->config->timeouts.write;
  auto [ec, n] = co_await client_.write_all(net::asio::buffer(bytes.data(), bytes.size()));
  client_write_deadline_ = Clock::time_point::max();
  client_write_busy_ = false;
  signal();
  co_return !ec;
}

net::awaitable<bool> Session::write_upstream(std::string_view bytes) {
  upstream_write_deadline_ = Clock::now() + snap_->config->timeouts.write;
  auto [ec, n] = co_await upstream_->stream->write_all(net::asio::buffer(bytes.data(), bytes.size()));
  upstream_write_deadline_ = Clock::time_point::max();
  co_return !ec;
}

void Session::arm_client_read_deadline() {
  const auto& t = snap_->config->timeouts;
  client_read_deadline_ = Clock::time_point::max();
  client_read_timeout_state_ = nullptr;
  if (pending_syncs_ > 0) return;  // the server has the turn, not the client
  const auto limit = txn_status_ == 'I' ? t.client_idle : t.idle_in_transaction;
  if (limit.count() <= 0) return;
  client_read_deadline_ = Clock::now() + limit;
  client_read_timeout_state_ =
      txn_status_ == 'I' ? sqlstate::kIdleSessionTimeout : sqlstate::kIdleInTransactionTimeout;
}

net::awaitable<void> Session::watchdog() {
  const auto& t = snap_->config->timeouts;
  std::chrono::milliseconds shortest = t.write;
  for (auto d : {t.client_idle, t.idle_in_transaction}) {
    if (d.count() > 0) shortest = std::min(shortest, d);
  }
  auto tick = std::clamp(shortest / 4, std::chrono::milliseconds(100),
                         std::chrono::milliseconds(5000));
  // A token's end must end the session within a second (docs/access.md).
  if (token_) tick = std::min(tick, std::chrono::milliseconds(200));
  net::asio::steady_timer timer(client_.executor());
  for (;;) {
    timer.expires_after(tick);
    auto [ec] = co_await timer.async_wait(net::nothrow);
    if (ec || closed_) co_return;
    const auto now = Clock::now();
    if (client_write_deadline_ <= now || upstream_write_deadline_ <= now) {
      // A peer stopped reading: nothing more can be said to it.
      spdlog::warn("write timeout agent={} peer={}", agent_, peer_);
      write_timed_out_ = true;
      close_both();
      co_return;
    }
    if (token_ && co_await end_if_token_ended()) co_return;
    if (client_read_deadline_ <= now && client_read_timeout_state_ != nullptr) {
      const bool idle = client_read_timeout_state_ == std::string_view(sqlstate::kIdleSessionTimeout);
      co_await send_fatal_bounded(Error::make(
          client_read_timeout_state_,
          idle ? "terminating connection due to idle-session timeout"
               : "terminating connection due to idle-in-transaction timeout"));
      co_return;
    }
  }
}

net::awaitable<bool> Session::end_if_token_ended() {
  const auto state = token_->state(now_ms());
  if (state == TokenLease::Live) co_return false;
  const char* what = state == TokenLease::Revoked  ? "revoked"
                     : state == TokenLease::Expired ? "expired"
                                                    : "cannot be checked (the state store is unreadable)";
  spdlog::info("session end agent={} session={}: token {} {}", agent_, session_id_, token_->id,
               what);
  // A statement still running must not finish after the token's end: run() cancels it
  // upstream once the relay has stopped (after the FATAL, so that the client sees what
  // pg_terminate_backend would send and not the cancel's 57014 first).
  cancel_at_end_ = true;
  // What PostgreSQL sends for pg_terminate_backend, so that drivers and pools treat it as
  // the end of this connection; run() then cancels a statement still running upstream.
  const Error e = Error::make(sqlstate::kAdminShutdown,
                              "terminating connection due to administrator command");
  const std::string detail = "airlock: token " + token_->id + " " + what +
                             "; ask for a new token to go on (docs/access.md)";
  co_await send_fatal_bounded(e, detail);
  co_return true;
}

net::awaitable<void> Session::send_fatal_bounded(const Error& e, std::string_view detail) {
  // Never wait behind a stuck write: say it only when the client socket is free, and give
  // the write one second.
  if (!client_write_busy_) {
    using namespace boost::asio::experimental::awaitable_operators;
    net::asio::steady_timer t(client_.executor(), std::chrono::seconds(1));
    co_await (send_fatal(e, detail) || t.async_wait(net::nothrow));
  }
  close_both();
}

}  // namespace airlock::proxy
