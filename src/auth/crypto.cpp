// Hash primitives, randomness and constant-time comparison over OpenSSL 3.
#include "auth/crypto.hpp"

#include "core/hex.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

#include "auth/scram.hpp"

namespace airlock::auth {
namespace {

[[noreturn]] void crypto_failure(const char* what) {
  std::fprintf(stderr, "airlock: fatal OpenSSL failure in %s\n", what);
  std::abort();
}

// OpenSSL treats a null pointer as "no data" in some calls even with length 0, so empty
// inputs point at a harmless static byte instead.
const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char kEmpty = 0;
  return s.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

std::string digest(const EVP_MD* md, std::string_view data, const char* what) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes_of(data), data.size(), out, &len, md, nullptr) != 1) {
    crypto_failure(what);
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}


}  // namespace

std::string sha256(std::string_view data) { return digest(EVP_sha256(), data, "SHA-256"); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[kSha256Len];
  std::size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, bytes_of(key), key.size(),
                bytes_of(data), data.size(), out, sizeof out, &len) == nullptr ||
      len != kSha256Len) {
    crypto_failure("HMAC-SHA-256");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string pbkdf2_hmac_sha256(std::string_view password, std::string_view salt, int iterations) {
  unsigned char out[kSha256Len];
  if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(bytes_of(password)),
                        static_cast<int>(password.size()), bytes_of(salt),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(), sizeof out,
                        out) != 1) {
    crypto_failure("PBKDF2-HMAC-SHA-256");
  }
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string xor_bytes(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    out[i] = static_cast<char>(a[i] ^ b[i]);
  }
  return out;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  // A predictable nonce or salt would be worse than no service at all.
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                          static_cast<int>(n)) != 1) {
    crypto_failure("RAND_bytes");
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string md5_password_response(std::string_view user, std::string_view password,
                                  std::string_view salt4) {
  std::string inner(password);
  inner.append(user);
  std::string outer = to_hex(digest(EVP_md5(), inner, "MD5"));
  outer.append(salt4);
  return "md5" + to_hex(digest(EVP_md5(), outer, "MD5"));
}

}  // namespace airlock::auth
