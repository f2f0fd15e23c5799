#pragma once
// A throwaway self-signed certificate for 127.0.0.1 and a one-request-per-connection HTTPS
// server using it, for the webhook's https:// tests (no files in the repository).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace airlock::http::testing {

struct TestCert {
  std::string cert_pem;  // also its own CA (basicConstraints CA:TRUE)
  std::string key_pem;
};

// subjectAltName IP:127.0.0.1 only, valid from an hour ago for a day.
TestCert make_self_signed_cert();

class TlsTestServer {
 public:
  explicit TlsTestServer(const TestCert& cert);
  ~TlsTestServer();
  std::uint16_t port() const;
  std::vector<std::string> wait_for(std::size_t n, std::chrono::milliseconds timeout);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace airlock::http::testing
