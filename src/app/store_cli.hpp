#pragma once
#include <CLI/CLI.hpp>

// What the commands that read and change the state store share (approvals, token, access):
// the config and its store, the clock, and who is running the command.
#include <cstdint>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "state/store.hpp"

namespace airlock::app {

std::int64_t now_ms();

// Who acts: the person behind sudo when there is one (the store file belongs to the
// gateway's user, so people typically run `sudo -u airlock airlock approvals ...`), else
// the OS account. A label for the record, not an authentication.
std::string os_user();

struct ConfigStore {
  std::shared_ptr<const config::Config> config;
  std::unique_ptr<state::Store> store;
};

// The config at `config_path` and the store of its state.path; on failure prints why,
// prefixed "airlock <command>: ", sets `exit_code` and returns a null store.
ConfigStore open_config_store(const std::string& command, const std::string& config_path,
                              int& exit_code);

// A subcommand of `parent` (approvals list, token issue, ...) with its required
// -c/--config, whose state.path names the store.
CLI::App* add_store_command(CLI::App* parent, const char* name, const char* help,
                            std::string& config_path);

}  // namespace airlock::app
