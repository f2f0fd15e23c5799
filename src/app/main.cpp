// airlock: the command-line entry point and composition root.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "app/admin.hpp"
#include "app/commands.hpp"
#include "app/logging.hpp"
#include "config/config.hpp"
#include "mcp/http_listener.hpp"
#include "proxy/server.hpp"

namespace {

constexpr int kExitConfigError = 2;

// Loads the config or prints every error (file:line: key: message) and returns null.
std::shared_ptr<const airlock::config::Config> load_or_report(const std::string& path) {
  auto loaded = airlock::config::load_config(path);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    std::cerr << "airlock: " << loaded.errors.size() << " error(s) in " << path << "\n";
    return nullptr;
  }
  return loaded.config;
}

int serve(const std::string& path) {
  auto cfg = load_or_report(path);
  if (!cfg) return kExitConfigError;
  airlock::app::setup_logging(cfg->log_level, cfg->log_format);
  // Signals are handled by the server's signal_set; block them from being fatal first.
  std::signal(SIGPIPE, SIG_IGN);
  // A file-size limit (ulimit -f) must fail the audit write (EFBIG), not kill the gateway.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    airlock::proxy::Server server(cfg, path);
    // Declared after the server: destroyed first, while the I/O contexts still exist.
    airlock::mcp::McpListener mcp(AIRLOCK_VERSION);
    server.add_front(&mcp);
    auto admin = airlock::app::start_admin(*cfg, server);
    if (!admin) {
      spdlog::critical("airlock: {}", admin.error().message);
      return 1;
    }
    const int rc = server.run();
    (*admin)->stop();
    return rc;
  } catch (const std::exception& e) {
    spdlog::critical("airlock: {}", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Airlock: a policy gateway between AI agents and PostgreSQL"};
  app.set_version_flag("--version", std::string("airlock ") + AIRLOCK_VERSION);
  app.require_subcommand(1);

  std::string config_path;
  auto* serve_cmd = app.add_subcommand("serve", "Run the gateway");
  serve_cmd->add_option("-c,--config", config_path, "Config file (YAML)")->required();

  std::string check_path;
  auto* check_cmd = app.add_subcommand("check-config", "Validate a config file and exit");
  check_cmd->add_option("-c,--config", check_path, "Config file (YAML)")->required();

  int command_exit = 0;  // set by the callbacks of check and policy test
  airlock::app::register_check(app, command_exit);
  airlock::app::register_policy_test(app, command_exit);
  airlock::app::register_policy_learn(app, command_exit);
  airlock::app::register_audit(app, command_exit);
  airlock::app::register_approvals(app, command_exit);
  airlock::app::register_token(app, command_exit);
  airlock::app::register_access(app, command_exit);
  airlock::app::register_mcp(app, command_exit);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitConfigError;
  }
  if (*serve_cmd) return serve(config_path);
  if (*check_cmd) {
    auto cfg = load_or_report(check_path);
    if (!cfg) return kExitConfigError;
    std::cout << check_path << ": ok (" << cfg->agents.size() << " agent(s))\n";
    return 0;
  }
  return command_exit;
}
