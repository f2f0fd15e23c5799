// Standard base64 (RFC 4648, with padding) over OpenSSL's EVP block codec. Decoding is
// strict: no whitespace, padding only at the end, and only the canonical encoding of a value
// is accepted, so that one byte string has exactly one accepted text form.
#include <openssl/evp.h>

#include <cstddef>

#include "auth/scram.hpp"

namespace airlock::auth {
namespace {

bool is_b64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/';
}

}  // namespace

std::string base64_encode(std::string_view raw) {
  if (raw.empty()) return {};
  // EVP_EncodeBlock writes 4 characters per started 3-byte group plus a terminating NUL.
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.empty()) return std::string{};
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (!is_b64_char(text[i])) return std::nullopt;
  }
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) return std::nullopt;
  // EVP_DecodeBlock counts padding characters as zero bytes; drop them.
  out.resize(out.size() - padding);
  // Reject non-canonical forms such as "QR==" (non-zero bits hidden in the padding).
  if (base64_encode(out) != text) return std::nullopt;
  return out;
}

}  // namespace airlock::auth
