#pragma once
// A SCRAM-SHA-256 verifier: what a server stores instead of a password.
#include <optional>
#include <string>
#include <string_view>

namespace airlock::auth {

struct ScramVerifier {
  int iterations = 4096;
  std::string salt;        // raw bytes
  std::string stored_key;  // raw 32 bytes
  std::string server_key;  // raw 32 bytes
};

// Derives a verifier from a cleartext password. ASCII passwords are their own SASLprep form;
// other passwords are used as raw UTF-8 bytes, as PostgreSQL does when SASLprep fails.
ScramVerifier make_verifier(std::string_view password, std::string_view salt, int iterations);

// PostgreSQL's stored format "SCRAM-SHA-256$<iter>:<salt b64>$<StoredKey b64>:<ServerKey b64>".
std::optional<ScramVerifier> parse_verifier(std::string_view text);
std::string format_verifier(const ScramVerifier& v);

// A verifier for an unknown user, derived deterministically from the name and a process
// secret, so that an unknown agent and a wrong password look the same on the wire.
ScramVerifier mock_verifier(std::string_view user, std::string_view process_secret);

}  // namespace airlock::auth
