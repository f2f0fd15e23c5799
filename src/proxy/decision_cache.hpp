#pragma once
// Per-thread cache of gateway verdicts for statements whose decision depends only on the
// text, the agent's policy, the catalog and the search_path (no session-state changes).
//
// Keyed by the exact text: a decision that depends on literal values is never reused for
// other literals. Entries hold the policy and catalog they were decided under, so neither
// address can be reused by a newer object while an entry names it. No locks: each I/O thread
// has its own cache (sessions never change thread).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "policy/agent_policy.hpp"
#include "proxy/statement_hook.hpp"
#include "sql/catalog.hpp"

namespace airlock::proxy {

class DecisionCache {
 public:
  static constexpr std::size_t kMaxEntries = 8192;
  static constexpr std::size_t kMaxTextBytes = 8192;  // longer statements are not cached

  static DecisionCache& for_this_thread();

  // Builds the key in a reusable buffer; returns nullptr on a miss.
  const Verdict* find(const policy::AgentPolicy* policy, const sql::Catalog* catalog,
                      std::string_view path_key, std::string_view sql);
  void insert(std::shared_ptr<const policy::AgentPolicy> policy,
              std::shared_ptr<const sql::Catalog> catalog, std::string_view path_key,
              std::string_view sql, Verdict verdict);
  std::size_t size() const { return map_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  struct Entry {
    std::shared_ptr<const policy::AgentPolicy> policy;
    std::shared_ptr<const sql::Catalog> catalog;
    Verdict verdict;
  };
  void build_key(const void* policy, const void* catalog, std::string_view path_key,
                 std::string_view sql);

  std::string key_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> map_;
};

}  // namespace airlock::proxy
