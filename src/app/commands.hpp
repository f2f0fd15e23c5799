#pragma once
// Subcommands of the airlock binary, one file each. register_* adds the subcommand to the
// app; its callback stores the command's exit code in `exit_code`.
#include <CLI/CLI.hpp>

namespace airlock::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;  // check: some statement denied or held; test: failures
inline constexpr int kExitUsage = 2;    // bad flags, unreadable or invalid config/table files

void register_check(CLI::App& app, int& exit_code);        // cmd_check.cpp
void register_policy_test(CLI::App& app, int& exit_code);  // cmd_policy_test.cpp
// policy replay | suggest (cmd_policy_learn.cpp); after register_policy_test, which makes
// the `policy` subcommand.
void register_policy_learn(CLI::App& app, int& exit_code);
void register_audit(CLI::App& app, int& exit_code);        // cmd_audit.cpp
void register_approvals(CLI::App& app, int& exit_code);    // cmd_approvals.cpp
void register_mcp(CLI::App& app, int& exit_code);          // cmd_mcp.cpp (mcp stdio)
void register_token(CLI::App& app, int& exit_code);        // cmd_token.cpp
void register_access(CLI::App& app, int& exit_code);       // cmd_access.cpp

}  // namespace airlock::app
