#pragma once
// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it (protocol-flow.html#SASL):
// no channel binding offered by the server side here ("n,," / "y,," accepted, "p=" refused),
// username in client-first is ignored (PostgreSQL sends it empty; the startup user counts).
// Sans-I/O: these classes turn SASL payloads into SASL payloads; no sockets.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "auth/verifier.hpp"
#include "core/error.hpp"

namespace airlock::auth {

// Server side of one SCRAM exchange, against a known verifier.
class ScramServer {
 public:
  explicit ScramServer(ScramVerifier verifier);
  // Test seam: a fixed server nonce, so that published exchanges (RFC 7677) can be replayed.
  ScramServer(ScramVerifier verifier, std::string fixed_server_nonce);

  // client-first-message -> server-first-message. Error 08P01 on malformed input.
  Result<std::string> on_client_first(std::string_view client_first);
  // client-final-message -> server-final-message ("v=..."). Error 28P01 when the proof is
  // wrong; the caller must send the same error as for an unknown user.
  Result<std::string> on_client_final(std::string_view client_final);

 private:
  ScramVerifier verifier_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;  // client nonce + server nonce
  std::string server_nonce_;
  std::string expected_cbind_;  // base64 of the gs2 header: "biws" ("n,,") or "eSws" ("y,,")
  bool first_done_ = false;
  bool finished_ = false;  // completed or failed: every later call is refused
};

// Client side, for Airlock's own login to the upstream server.
class ScramClient {
 public:
  explicit ScramClient(std::string password);
  // Test seam: a fixed client nonce and n= user (PostgreSQL sends it empty), so that
  // published exchanges (RFC 7677) can be replayed.
  ScramClient(std::string password, std::string fixed_nonce, std::string sasl_user);
  std::string client_first();  // "n,,n=,r=<nonce>"
  Result<std::string> on_server_first(std::string_view server_first);
  Status on_server_final(std::string_view server_final);  // verifies the server signature

 private:
  std::string password_;
  std::string client_nonce_;
  std::string client_first_bare_;
  std::string expected_server_signature_;
  std::string sasl_user_;
  enum class Stage { kStart, kFirstSent, kFinalSent, kDone };
  Stage stage_ = Stage::kStart;
};

// PostgreSQL md5 password response: "md5" + md5(md5(password + user) + salt).
std::string md5_password_response(std::string_view user, std::string_view password,
                                  std::string_view salt4);

// Cryptographically random bytes from OpenSSL.
std::string random_bytes(std::size_t n);

// Constant-time comparison of equal-length secrets; false when lengths differ.
bool constant_time_equal(std::string_view a, std::string_view b);

std::string base64_encode(std::string_view raw);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace airlock::auth
