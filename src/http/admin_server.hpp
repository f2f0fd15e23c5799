#pragma once
// The admin HTTP listener: /healthz, /readyz, /metrics and the approvals API (router.hpp),
// served on its own thread and io_context so that scrapes and approvers never share a
// thread with agents' sessions. HTTP/1.1 with keep-alive; requests are bounded (8 KiB of
// headers, 64 KiB of body) and must arrive within the read timeout.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "http/router.hpp"

namespace airlock::http {

struct AdminOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9187;                       // 0: any free port (see AdminServer::port())
  RouterOptions routes;                            // token, readiness, metrics, store, clock
  // Optional: true when the state routes.readiness reports is recent; when false, it has
  // started a refresh, and GET /readyz waits (polling every 10 ms, up to readiness_wait)
  // for it before answering. Other requests never wait.
  std::function<bool()> readiness_current;
  std::chrono::milliseconds readiness_wait{1500};
  std::chrono::milliseconds read_timeout{10000};   // a whole request, first byte to last
  std::chrono::milliseconds write_timeout{10000};  // a whole response
  std::size_t max_header_bytes = 8 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_connections = 64;  // further connections are closed at once
};

class AdminServer {
 public:
  explicit AdminServer(AdminOptions options);
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and listens on the caller's thread (so that "address in use" is returned here,
  // as a value), then serves on a thread of its own. Call at most once.
  Status start();
  // Closes the listener and every connection and joins the thread. Idempotent.
  void stop();
  // The bound port, once start() succeeded (the chosen one when options.port was 0).
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlock::http
