#include "proxy/decision_cache.hpp"

#include <cstring>

namespace airlock::proxy {

DecisionCache& DecisionCache::for_this_thread() {
  thread_local DecisionCache cache;
  return cache;
}

void DecisionCache::build_key(const void* policy, const void* catalog, std::string_view path_key,
                              std::string_view sql) {
  key_.clear();
  key_.append(reinterpret_cast<const char*>(&policy), sizeof policy);
  key_.append(reinterpret_cast<const char*>(&catalog), sizeof catalog);
  key_.append(path_key);
  key_.push_back('\0');
  key_.append(sql);
}

const Verdict* DecisionCache::find(const policy::AgentPolicy* policy, const sql::Catalog* catalog,
                                   std::string_view path_key, std::string_view sql) {
  if (sql.size() > kMaxTextBytes) return nullptr;
  build_key(policy, catalog, path_key, sql);
  auto it = map_.find(std::string_view(key_));
  return it == map_.end() ? nullptr : &it->second.verdict;
}

void DecisionCache::insert(std::shared_ptr<const policy::AgentPolicy> policy,
                           std::shared_ptr<const sql::Catalog> catalog, std::string_view path_key,
                           std::string_view sql, Verdict verdict) {
  if (sql.size() > kMaxTextBytes) return;
  if (map_.size() >= kMaxEntries) map_.clear();  // simple and bounded; refills in microseconds
  build_key(policy.get(), catalog.get(), path_key, sql);
  map_.insert_or_assign(key_, Entry{std::move(policy), std::move(catalog), std::move(verdict)});
}

}  // namespace airlock::proxy
