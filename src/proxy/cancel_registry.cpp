#include "proxy/cancel_registry.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

namespace airlock::proxy {
namespace {

std::uint32_t random_u32() {
  std::uint32_t v = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1) std::abort();
  return v;
}

}  // namespace

CancelRegistry::Key CancelRegistry::add(const CancelTarget& target) {
  std::lock_guard lock(mu_);
  for (;;) {
    // Positive 31-bit pids: some clients print or store the pid as a signed int.
    const std::uint32_t pid = (random_u32() & 0x7FFFFFFFu) | 1u;
    if (entries_.contains(pid)) continue;
    const std::uint32_t secret = random_u32();
    entries_.emplace(pid, Entry{secret, target});
    return Key{pid, secret};
  }
}

void CancelRegistry::remove(std::uint32_t pid) {
  std::lock_guard lock(mu_);
  entries_.erase(pid);
}

std::optional<CancelTarget> CancelRegistry::find(std::uint32_t pid, std::uint32_t secret) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(pid);
  if (it == entries_.end()) return std::nullopt;
  if (CRYPTO_memcmp(&it->second.secret, &secret, sizeof secret) != 0) return std::nullopt;
  return it->second.target;
}

std::size_t CancelRegistry::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace airlock::proxy
