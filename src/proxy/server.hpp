#pragma once
// The listening side of one Airlock process: accepts clients on TCP (and optionally a unix
// socket), runs each Session on one I/O thread, and handles SIGHUP (reload) and
// SIGTERM/SIGINT (graceful shutdown through a drain gate).
#include <memory>
#include <stop_token>
#include <thread>
#include <string>
#include <unordered_set>
#include <vector>

#include "config/config.hpp"
#include "core/error.hpp"
#include "net/io_threads.hpp"
#include "net/stream.hpp"
#include "proxy/services.hpp"

namespace airlock::proxy {

class Session;
struct LocalFront;
class Server;

// Another front end served on the gateway's own I/O threads (the MCP listener): started by
// run() once the wire listener is bound, stopped when shutdown begins.
class Front {
 public:
  virtual ~Front() = default;
  virtual Status start(Server& server) = 0;  // binds; an error ends run() with exit code 1
  virtual void stop() = 0;                   // closes the listener; on I/O thread 0
};

class Server {
 public:
  Server(std::shared_ptr<const config::Config> cfg, std::string config_path);
  ~Server();

  // Binds, serves until a shutdown signal, and returns the process exit code.
  int run();

  // For the composition root (admin listener, webhook): shared state of every session.
  Services& services() { return services_; }
  // /readyz: not draining, the catalog read once, upstream's last probe (or session login)
  // succeeded, the audit trail writable.
  std::pair<bool, std::string> ready() const;
  // True when the upstream verdict is recent (UpstreamHealth::kMaxAge); otherwise starts a
  // probe on an I/O thread (if none is out) and returns false. Any thread.
  bool readiness_current();

  // Front ends (not owned; they outlive run()). Call before run().
  void add_front(Front* front) { fronts_.push_back(front); }
  // The I/O threads, for front ends: a front's connection and the sessions it opens run on
  // one thread, so no statement hops threads.
  std::size_t io_count() { return threads_.size(); }
  std::size_t next_io() { return threads_.next_index(); }
  net::asio::io_context& io(std::size_t index) { return threads_.at(index); }
  // An in-process client session on I/O thread `index` (call it on that thread): returns the
  // client's end of a socket pair whose other end is served as any accepted client, with
  // `front` shared between the two (local_front.hpp).
  Result<net::asio::local::stream_protocol::socket> open_local(std::size_t index,
                                                               std::shared_ptr<LocalFront> front);

  // Builds the TLS contexts a config asks for.
  static Result<std::shared_ptr<Snapshot>> make_snapshot(std::shared_ptr<const config::Config> cfg);

 private:
  net::awaitable<void> accept_tcp(net::tcp::acceptor& acceptor);
  net::awaitable<void> accept_unix(net::asio::local::stream_protocol::acceptor& acceptor);
  void start_session(std::size_t index, net::Stream stream,
                     std::shared_ptr<LocalFront> local = {});
  net::awaitable<void> handle_signals();
  void reload();
  net::awaitable<void> shutdown();
  net::awaitable<void> refresh_catalog();
  void sweep_tokens(std::stop_token stop);  // server_tokens.cpp, on token_sweeper_
  net::awaitable<void> probe_upstream_now();

  std::string config_path_;
  // Declared before the threads: coroutine frames still queued in the io_contexts are
  // destroyed with them and may touch Services (the cancel registry) on the way out.
  Services services_;
  net::IoThreads threads_;
  // Sessions per I/O thread; each set is touched only by its own thread.
  std::vector<std::unordered_set<std::shared_ptr<Session>>> sessions_;
  std::unique_ptr<net::tcp::acceptor> tcp_acceptor_;
  std::unique_ptr<net::asio::local::stream_protocol::acceptor> unix_acceptor_;
  std::string unix_path_;
  std::unique_ptr<net::asio::steady_timer> catalog_timer_;
  // Its own thread: the sweep reads and writes the state store, which may block (a lock
  // held by another process), and must not stall an I/O thread's sessions.
  std::jthread token_sweeper_;
  std::vector<Front*> fronts_;
};

}  // namespace airlock::proxy
