#include "traffic/registry.hpp"

namespace airlock::traffic {

void Registry::configure(const SettingsByAgent& agents) {
  std::map<std::string, std::shared_ptr<AgentTraffic>, std::less<>> next;
  std::lock_guard lock(mutex_);
  for (const auto& [name, settings] : agents) {
    auto found = agents_.find(name);
    if (found != agents_.end()) {
      found->second->configure(settings);
      next.emplace(name, found->second);
    } else {
      next.emplace(name, std::make_shared<AgentTraffic>(name, settings));
    }
  }
  agents_ = std::move(next);
}

std::shared_ptr<AgentTraffic> Registry::find(std::string_view agent) const {
  std::lock_guard lock(mutex_);
  auto found = agents_.find(agent);
  return found == agents_.end() ? nullptr : found->second;
}

std::vector<std::shared_ptr<AgentTraffic>> Registry::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<AgentTraffic>> out;
  out.reserve(agents_.size());
  for (const auto& [name, agent] : agents_) out.push_back(agent);
  return out;
}

std::size_t Registry::size() const {
  std::lock_guard lock(mutex_);
  return agents_.size();
}

}  // namespace airlock::traffic
