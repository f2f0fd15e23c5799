#include "proxy/decision_cache.hpp"

#include <cstring>

namespace airlock::proxy {

DecisionCache& DecisionCache::for_this_thread() {
  thread_local DecisionCache cache;
  return cache;
}

void DecisionCache::build_key(std::uint64_t generation, std::string_view agent,
                              std::string_view path_key, std::string_view sql) {
  key_.clear();
  key_.append(reinterpret_cast<const char*>(&generation), sizeof generation);
  key_.append(agent);
  key_.push_back('\0');
  key_.append(path_key);
  key_.push_back('\0');
  key_.append(sql);
}

const Verdict* DecisionCache::find(std::uint64_t generation, std::string_view agent,
                                   std::string_view path_key, std::string_view sql) {
  if (sql.size() > kMaxTextBytes) return nullptr;
  build_key(generation, agent, path_key, sql);
  auto it = map_.find(std::string_view(key_));
  return it == map_.end() ? nullptr : &it->second;
}

void DecisionCache::insert(std::uint64_t generation, std::string_view agent,
                           std::string_view path_key, std::string_view sql, Verdict verdict) {
  if (sql.size() > kMaxTextBytes) return;
  build_key(generation, agent, path_key, sql);
  // Admitted on its second sight only: statements with their literals inline are mostly
  // unique, and would fill the map (allocations, then a clear) to be hit never.
  const std::size_t h = Hash{}(key_);
  std::size_t& seen = doorkeeper_[h % kDoorkeeperSlots];
  if (seen != h) {
    seen = h;
    return;
  }
  if (map_.size() >= kMaxEntries || bytes_ + key_.size() > kMaxBytes) {
    map_.clear();  // simple and bounded; refills in microseconds
    bytes_ = 0;
  }
  bytes_ += key_.size() + verdict.error.message.size() + verdict.hint.size();
  map_.insert_or_assign(key_, std::move(verdict));
}

}  // namespace airlock::proxy
