// The agents section: who may log in through Airlock, and with which credentials.
#include <algorithm>

#include "auth/scram.hpp"
#include "auth/verifier.hpp"
#include "config/external.hpp"
#include "config/names.hpp"
#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr int kIterations = 4096;

void read_agent(Context& ctx, const YAML::Node& node, const std::string& path, Agent& agent) {
  Reader& r = ctx.reader;
  bool have_env = false;
  bool have_verifier = false;
  std::optional<std::string> password;
  const char* both = "set either password_env or scram_verifier, not both";
  bool is_map = r.walk_map(
      node, path,
      {"password_env", "scram_verifier", "login", "mode", "require_intent", "allow", "hold",
       "budgets", "limits", "breaker"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "password_env") {
          have_env = true;
          if (have_verifier) r.error(value, key_path, both);
          else if (!ctx.secrets) r.text(value, key_path);  // not read: no login needed
          else password = env_secret(r, value, key_path);
        } else if (key == "scram_verifier") {
          have_verifier = true;
          if (have_env) {
            r.error(value, key_path, both);
          } else if (auto text = r.text(value, key_path)) {
            if (auto verifier = auth::parse_verifier(*text)) {
              agent.verifier = std::move(*verifier);
            } else {
              r.error(value, key_path,
                      "not a SCRAM-SHA-256 verifier (expected "
                      "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, as in "
                      "PostgreSQL's pg_authid.rolpassword)");
            }
          }
        } else if (key == "login") {
          if (auto login = r.choice(value, key_path, {"password", "token_only"})) {
            agent.token_only = *login == "token_only";
          }
        } else if (key == "mode") {
          if (auto mode = r.choice(value, key_path, {"enforce", "observe", "shadow"})) {
            agent.mode = *mode;
          }
        } else if (key == "require_intent") {
          if (auto req = r.choice(value, key_path, {"none", "writes", "all"})) {
            agent.require_intent = *req == "all"      ? RequireIntent::All
                                   : *req == "writes" ? RequireIntent::Writes
                                                      : RequireIntent::None;
          }
        } else if (key == "budgets") {
          read_budgets(ctx, value, key_path, agent.budgets);
        } else if (key == "limits") {
          read_agent_limits(ctx, value, key_path, agent.limits);
        } else if (key == "breaker") {
          read_agent_breaker(ctx, value, key_path, agent.breaker);
        } else {
          read_rules(ctx, value, key_path, key == "allow" ? agent.allow : agent.hold);
        }
      });
  if (!is_map) return;
  if (!have_env && !have_verifier && ctx.secrets && !agent.token_only) {
    r.error(node, path, "needs one of password_env or scram_verifier (or login: token_only)");
  }
  if (password) {
    agent.verifier = auth::make_verifier(*password, auth::random_bytes(kSaltBytes), kIterations);
    std::fill(password->begin(), password->end(), '\0');
  }
}

}  // namespace

void read_agents(Context& ctx, const YAML::Node& node, const std::string& path,
                 std::map<std::string, Agent, std::less<>>& out) {
  Reader& r = ctx.reader;
  bool is_map = r.walk_named(
      node, path, [](std::string_view name) { return check_agent_name(name); },
      [&](const std::string& name, const YAML::Node& value, const std::string& agent_path) {
        Agent agent;
        agent.name = name;
        read_agent(ctx, value, agent_path, agent);
        agent.policy = std::make_shared<const policy::AgentPolicy>(
            policy::AgentPolicy::compile(agent.name, agent.allow, agent.hold));
        out.emplace(name, std::move(agent));
      });
  if (is_map && node.size() == 0) r.error(node, path, "at least one agent is required");
}

}  // namespace airlock::config::detail
