#pragma once
// The listening side of one Airlock process: accepts clients on TCP (and optionally a unix
// socket), runs each Session on one I/O thread, and handles SIGHUP (reload) and
// SIGTERM/SIGINT (graceful shutdown through a drain gate).
#include <memory>
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

  // Builds the TLS contexts a config asks for.
  static Result<std::shared_ptr<Snapshot>> make_snapshot(std::shared_ptr<const config::Config> cfg);

 private:
  net::awaitable<void> accept_tcp(net::tcp::acceptor& acceptor);
  net::awaitable<void> accept_unix(net::asio::local::stream_protocol::acceptor& acceptor);
  void start_session(std::size_t index, net::Stream stream);
  net::awaitable<void> handle_signals();
  void reload();
  net::awaitable<void> shutdown();
  net::awaitable<void> refresh_catalog();
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
};

}  // namespace airlock::proxy
