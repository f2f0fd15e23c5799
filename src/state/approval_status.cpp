// Status words (as stored in the file and printed by the CLI) and approval ids.
#include <openssl/rand.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "core/hex.hpp"
#include "state/store.hpp"

namespace airlock::state {
namespace {

constexpr std::array<std::string_view, 5> kWords = {"pending", "approved", "denied", "executed",
                                                    "expired"};

}  // namespace

std::string_view to_string(ApprovalStatus s) noexcept {
  return kWords[static_cast<std::size_t>(s)];
}

std::optional<ApprovalStatus> approval_status_from(std::string_view s) noexcept {
  for (std::size_t i = 0; i < kWords.size(); ++i) {
    if (kWords[i] == s) return static_cast<ApprovalStatus>(i);
  }
  return std::nullopt;
}

namespace {

std::string random_id(const char* prefix) {
  std::array<unsigned char, 8> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // No entropy means no unguessable ids; as for auth's salts, this is not recoverable.
    std::fputs("airlock: fatal OpenSSL failure in RAND_bytes\n", stderr);
    std::abort();
  }
  return prefix + to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace

std::string new_approval_id() { return random_id("apr_"); }
std::string new_token_id() { return random_id("tok_"); }

}  // namespace airlock::state
