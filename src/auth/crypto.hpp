#pragma once
// Internal to the auth module: the hash primitives SCRAM is built from (OpenSSL 3 EVP).
// All digests are returned as raw bytes. OpenSSL failing here means the process is out of
// memory or its crypto library is broken; these helpers abort rather than return a value
// that could silently weaken authentication.
#include <cstddef>
#include <string>
#include <string_view>

namespace airlock::auth {

inline constexpr std::size_t kSha256Len = 32;

std::string sha256(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string pbkdf2_hmac_sha256(std::string_view password, std::string_view salt, int iterations);

// Byte-wise XOR of two equal-length strings (caller checks the lengths).
std::string xor_bytes(std::string_view a, std::string_view b);

// RFC 5802 key schedule.
inline std::string scram_client_key(std::string_view salted_password) {
  return hmac_sha256(salted_password, "Client Key");
}
inline std::string scram_server_key(std::string_view salted_password) {
  return hmac_sha256(salted_password, "Server Key");
}

}  // namespace airlock::auth
