#pragma once
// Internal to the config library: one reader per top-level section of the YAML file.
// Each reports problems through the Reader and fills what it could validate.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "config/reader.hpp"

namespace airlock::config::detail {

// Where relative paths in the file are resolved from.
struct Context {
  Reader& reader;
  std::filesystem::path base_dir;
  bool secrets = true;  // LoadOptions::secrets
};

void read_listen(Context& ctx, const YAML::Node& node, const std::string& path, Endpoint& out);
void read_unix_socket_dir(Context& ctx, const YAML::Node& node, const std::string& path,
                          std::string& out);
void read_tls(Context& ctx, const YAML::Node& node, const std::string& path,
              std::optional<TlsServer>& out);
void read_upstream(Context& ctx, const YAML::Node& node, const std::string& path,
                   Upstream& out);
void read_timeouts(Context& ctx, const YAML::Node& node, const std::string& path,
                   Timeouts& out);
void read_limits(Context& ctx, const YAML::Node& node, const std::string& path, Limits& out);
void read_startup_parameters(Context& ctx, const YAML::Node& node, const std::string& path,
                             std::vector<std::string>& out);
void read_log(Context& ctx, const YAML::Node& node, const std::string& path, Config& out);
void read_agents(Context& ctx, const YAML::Node& node, const std::string& path,
                 std::map<std::string, Agent, std::less<>>& out);
// An agent's allow or hold list.
void read_rules(Context& ctx, const YAML::Node& node, const std::string& path,
                std::vector<RuleEntry>& out);

// Sections added for runtime guards, audit and the admin listener; each in its own file.
void read_state(Context& ctx, const YAML::Node& node, const std::string& path, State& out);
void read_approvals(Context& ctx, const YAML::Node& node, const std::string& path,
                    Approvals& out);
void read_audit(Context& ctx, const YAML::Node& node, const std::string& path, Audit& out);
void read_admin(Context& ctx, const YAML::Node& node, const std::string& path, Admin& out);
void read_mcp(Context& ctx, const YAML::Node& node, const std::string& path, Mcp& out);
// An agent's budgets list.
void read_budgets(Context& ctx, const YAML::Node& node, const std::string& path,
                  std::vector<Budget>& out);
// An agent's limits: and breaker: (traffic_section.cpp).
void read_agent_limits(Context& ctx, const YAML::Node& node, const std::string& path,
                       AgentLimits& out);
void read_agent_breaker(Context& ctx, const YAML::Node& node, const std::string& path,
                        BreakerSettings& out);
// masking: the hash style's key (masking_section.cpp); after every section, `hash` masks
// need that key.
void read_masking(Context& ctx, const YAML::Node& node, const std::string& path, Masking& out);
void check_masking_key(Context& ctx, const YAML::Node& root, const Config& config);
// After every section: holds and budgets need state.path (guards.cpp).
void check_state_needed(Context& ctx, const YAML::Node& root, const Config& config);

}  // namespace airlock::config::detail
