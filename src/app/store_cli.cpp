// The config-and-store opening shared by the state store's commands.
#include "app/store_cli.hpp"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "app/commands.hpp"
#include "app/policy_source.hpp"
#include "state/sqlite_store.hpp"

namespace airlock::app {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string os_user() {
  if (const char* sudo = std::getenv("SUDO_USER"); sudo != nullptr && *sudo != '\0') return sudo;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
  return "uid " + std::to_string(::getuid());
}

ConfigStore open_config_store(const std::string& command, const std::string& config_path,
                              int& exit_code) {
  ConfigStore out;
  out.config = load_policy_config(config_path);  // prints every config error
  if (!out.config) {
    exit_code = kExitUsage;
    return out;
  }
  if (out.config->state.path.empty()) {
    std::cerr << "airlock " << command << ": " << config_path
              << " has no state.path: holds, budgets and tokens are kept in the state store\n";
    exit_code = kExitUsage;
    return out;
  }
  // create = false: the gateway creates the file; a file created by another OS user than
  // the gateway's would lock the gateway out.
  auto store =
      state::open_sqlite_store(out.config->state.path, state::SqliteOptions{.create = false});
  if (!store) {
    std::cerr << "airlock " << command << ": " << store.error().message << "\n";
    exit_code = kExitRefused;
    return out;
  }
  out.store = std::move(*store);
  return out;
}

CLI::App* add_store_command(CLI::App* parent, const char* name, const char* help,
                            std::string& config_path) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("-c,--config", config_path, "Config file (YAML); its state.path is used")
      ->required();
  return cmd;
}

}  // namespace airlock::app
