#pragma once
// One client connection, from its first byte to its close: startup and authentication
// (session_startup.cpp), then two relay loops (relay.cpp) and a watchdog for deadlines.
//
// Threading: a Session lives on one io_context, run by one thread; nothing in it is
// touched from another thread, so it holds no locks.
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "core/buffer.hpp"
#include "net/asio.hpp"
#include "net/stream.hpp"
#include "protocol/frame.hpp"
#include "protocol/startup.hpp"
#include "proxy/services.hpp"
#include "proxy/statement_hook.hpp"
#include "proxy/upstream_login.hpp"

namespace airlock::proxy {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Clock = std::chrono::steady_clock;

  Session(net::Stream client, Services& services);
  ~Session();

  // Runs the whole session; completes when both peers are closed.
  net::awaitable<void> run();

  // Graceful shutdown: closes now when idle, else after the running statement completes.
  void begin_drain();
  // Immediate close of both connections.
  void abort();

 private:
  // --- startup and authentication (session_startup.cpp) ---
  net::awaitable<bool> startup();  // true: authenticated and upstream ready
  net::awaitable<Result<protocol::StartupMessage>> read_startup_packet();
  net::awaitable<Status> authenticate(const std::string& user);
  net::awaitable<void> handle_cancel(std::uint32_t pid, std::uint32_t secret);
  net::awaitable<void> send_fatal(const Error& e);
  net::awaitable<void> send_fatal_bounded(const Error& e);
  net::awaitable<Status> make_hook();

  // --- relay (relay.cpp) ---
  net::awaitable<void> client_to_upstream();
  net::awaitable<void> upstream_to_client();
  net::awaitable<void> watchdog();
  net::awaitable<bool> write_client(std::string_view bytes);
  net::awaitable<bool> write_upstream(std::string_view bytes);
  net::awaitable<bool> forward_denied(const protocol::Frame& f, Verdict v);
  bool rewrite_if_denial(const protocol::Frame& f, std::string& out);
  net::awaitable<void> wait_signal();
  void signal();
  void arm_client_read_deadline();
  bool check_upstream_parameter(std::string_view name, std::string_view value);
  void close_both();
  net::awaitable<void> cancel_upstream_query();

  net::Stream client_;
  Services& services_;
  std::shared_ptr<const Snapshot> snap_;  // config as of authentication
  RecvBuffer cbuf_;
  std::optional<UpstreamConn> upstream_;
  std::unique_ptr<StatementHook> hook_;  // the one point where statements are decided
  std::string agent_;
  std::string application_name_;
  std::string peer_;
  CancelRegistry::Key client_key_{0, 0};

  // Relay state.
  int pending_syncs_ = 0;      // Query/Sync forwarded whose ReadyForQuery is not yet relayed
  char txn_status_ = 'I';
  // A denied statement is replaced upstream by `deny_marker_`, a syntax error that can never
  // execute, so that PostgreSQL itself aborts the transaction, skips to Sync and keeps the
  // pipeline in order; its ErrorResponse is rewritten into the denial (FIFO) on the way back.
  std::string deny_marker_;
  // Each denial remembers the sync batch it belongs to; a denied Parse that PostgreSQL
  // skips (it was already discarding up to Sync after an earlier error) never answers, and
  // is dropped when its batch's ReadyForQuery passes, so it cannot be matched to a later one.
  struct Denial {
    std::uint64_t batch;
    Verdict verdict;
  };
  std::deque<Denial> denials_;
  std::uint64_t forwarded_syncs_ = 0;  // Query/Sync/FunctionCall sent upstream, ever
  std::uint64_t completed_syncs_ = 0;  // ReadyForQuery received, ever
  bool extended_open_ = false;      // Parse/Bind/... forwarded since the last Sync
  bool client_terminated_ = false;  // the client sent Terminate
  bool write_timed_out_ = false;
  bool client_write_busy_ = false;
  bool draining_ = false;
  bool closed_ = false;
  net::asio::steady_timer signal_timer_;

  // Deadlines checked by the watchdog; time_point::max() = not armed.
  Clock::time_point client_read_deadline_ = Clock::time_point::max();
  Clock::time_point client_write_deadline_ = Clock::time_point::max();
  Clock::time_point upstream_write_deadline_ = Clock::time_point::max();
  const char* client_read_timeout_state_ = nullptr;  // SQLSTATE to report on expiry
};

}  // namespace airlock::proxy
