#pragma once
// The AgentTraffic of every configured agent, by name. Built from the config at start and
// updated on each reload (SIGHUP): an agent that stays keeps its object, so its connection
// count, bucket, open breakers and pause carry over (each part resets only when its own
// settings changed); a new agent gets a fresh object; a removed agent is dropped from the
// registry while its sessions keep their object alive until they end. An agent removed and
// added back starts fresh.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "traffic/agent_traffic.hpp"
#include "traffic/settings.hpp"

namespace airlock::traffic {

class Registry {
 public:
  using SettingsByAgent = std::map<std::string, Settings, std::less<>>;

  void configure(const SettingsByAgent& agents);
  // Null for an agent not in the current configuration. Sessions call it once, at login,
  // and keep the pointer: no lock on the statement path.
  std::shared_ptr<AgentTraffic> find(std::string_view agent) const;
  std::vector<std::shared_ptr<AgentTraffic>> all() const;  // for metrics
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<AgentTraffic>, std::less<>> agents_;
};

}  // namespace airlock::traffic
