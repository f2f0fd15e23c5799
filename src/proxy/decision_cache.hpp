#pragma once
// Per-thread cache of gateway verdicts for statements whose decision depends only on the
// text, the agent's policy, the catalog and the search_path (no session-state changes).
//
// Keyed by the exact text: a decision that depends on literal values is never reused for
// other literals. The key also holds the generation of the config snapshot (policies and
// catalog) the session decides under, the agent and the search_path; entries hold only the
// verdict, so no old policy or catalog is kept alive. No locks: each I/O thread has its own
// cache (sessions never change thread). Bounded by entries and bytes; full means cleared.
// A statement is cached the second time it is decided (a doorkeeper of hashes): text with
// its literals inline, as agents send it, is mostly seen once.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "proxy/statement_hook.hpp"

namespace airlock::proxy {

class DecisionCache {
 public:
  static constexpr std::size_t kMaxEntries = 8192;
  static constexpr std::size_t kMaxBytes = 4u * 1024 * 1024;
  static constexpr std::size_t kMaxTextBytes = 8192;  // longer statements are not cached

  static DecisionCache& for_this_thread();

  // Builds the key in a reusable buffer; returns nullptr on a miss.
  const Verdict* find(std::uint64_t generation, std::string_view agent,
                      std::string_view path_key, std::string_view sql);
  void insert(std::uint64_t generation, std::string_view agent, std::string_view path_key,
              std::string_view sql, Verdict verdict);
  std::size_t size() const { return map_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  void build_key(std::uint64_t generation, std::string_view agent, std::string_view path_key,
                 std::string_view sql);

  std::string key_;
  std::size_t bytes_ = 0;
  // Hashes of keys seen once and not cached (a direct-mapped doorkeeper): a key is cached
  // when it comes again while its hash still holds its slot.
  static constexpr std::size_t kDoorkeeperSlots = 4096;
  std::array<std::size_t, kDoorkeeperSlots> doorkeeper_{};
  std::unordered_map<std::string, Verdict, Hash, std::equal_to<>> map_;
};

}  // namespace airlock::proxy
