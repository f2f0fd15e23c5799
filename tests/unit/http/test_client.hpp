#pragma once
// Raw-socket HTTP helpers for tests: what goes over the wire is exactly what the test wrote,
// so malformed and oversized requests can be sent too.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace airlock::http::testing {

struct RawResponse {
  int status = 0;    // 0: no status line received
  std::string head;  // status line and headers
  std::string body;
};

// Connects to 127.0.0.1:port, writes `raw`, reads until the peer closes (or `timeout`), and
// splits what came back into responses.
std::vector<RawResponse> roundtrip(std::uint16_t port, const std::string& raw,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5));

// One request with "Connection: close".
RawResponse request(std::uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& extra_headers = "");

// A minimal HTTP/1.1 server on 127.0.0.1 for the webhook tests: records each request and
// answers `status` (or never answers when `silent`). Runs on its own thread.
class TestServer {
 public:
  explicit TestServer(int status = 200, bool silent = false);
  ~TestServer();
  std::uint16_t port() const { return port_; }
  // Waits until `n` requests have arrived; returns them (head + body as received).
  std::vector<std::string> wait_for(std::size_t n, std::chrono::milliseconds timeout);
  std::size_t connections() const;

  struct State;

 private:
  State* state_;
  std::uint16_t port_ = 0;
};

}  // namespace airlock::http::testing
