#pragma once
// The flags that describe a token, shared by `airlock token issue` and `airlock access
// request`: the agent, its scope, rows per write, lifetime and reason.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "access/issue.hpp"

namespace airlock::app {

struct TokenFlags {
  std::string agent;
  std::vector<std::string> allow;
  std::optional<std::int64_t> max_rows;
  std::string ttl = "15m";
  std::string reason;
};

// Adds --agent, --allow, --max-rows, --ttl and --reason to `cmd`. `requested`: the access
// request's wording (--allow and --reason required, the ttl counted from collection).
void add_token_flags(CLI::App* cmd, TokenFlags& f, bool requested);

// The request the flags describe; nullopt after printing "airlock <command>: --ttl ..." when
// the ttl is not a duration.
std::optional<access::TokenRequest> token_request(const std::string& command, const TokenFlags& f);

}  // namespace airlock::app
