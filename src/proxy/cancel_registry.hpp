#pragma once
// Maps the BackendKeyData Airlock gives each client to the upstream backend serving it, so
// that a CancelRequest (which arrives on a new connection, before any authentication) can
// be forwarded. Shared by all I/O threads; a mutex guards it (cancels are rare).
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace airlock::proxy {

struct CancelTarget {
  std::string host;
  std::uint16_t port = 0;
  std::uint32_t upstream_pid = 0;
  std::uint32_t upstream_secret = 0;
};

class CancelRegistry {
 public:
  struct Key {
    std::uint32_t pid;
    std::uint32_t secret;
  };
  // Issues a fresh random key for a session.
  Key add(const CancelTarget& target);
  void remove(std::uint32_t pid);
  // The target, when both pid and secret match (secret compared in constant time).
  std::optional<CancelTarget> find(std::uint32_t pid, std::uint32_t secret) const;
  std::size_t size() const;

 private:
  struct Entry {
    std::uint32_t secret;
    CancelTarget target;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::uint32_t, Entry> entries_;
};

}  // namespace airlock::proxy
