// Token flags: registered once, turned into an access::TokenRequest once.
#include "app/token_flags.hpp"

#include <iostream>

#include "core/duration.hpp"

namespace airlock::app {

void add_token_flags(CLI::App* cmd, TokenFlags& f, bool requested) {
  cmd->add_option("--agent", f.agent, "The agent it logs in as")->required();
  auto* allow = cmd->add_option(
      "--allow", f.allow,
      requested ? "schema.table:action[,action...]; repeatable"
                : "schema.table:action[,action...]; repeatable (default: the agent's policy)");
  cmd->add_option("--max-rows", f.max_rows, "Most rows one write may change");
  cmd->add_option("--ttl", f.ttl,
                  requested ? "Lifetime from collection: 90s, 15m (default), 2h; at most 24h"
                            : "Lifetime: 90s, 15m (default), 2h; at most 24h");
  auto* reason =
      cmd->add_option("--reason", f.reason,
                      requested ? "Why: what the approver decides on" : "Why, for the record");
  if (requested) {
    allow->required();
    reason->required();
  }
}

std::optional<access::TokenRequest> token_request(const std::string& command, const TokenFlags& f) {
  auto ttl = parse_duration(f.ttl);
  if (!ttl || ttl->count() <= 0) {
    std::cerr << "airlock " << command << ": --ttl '" << f.ttl
              << "' is not a duration (15m, 2h, 90s)\n";
    return std::nullopt;
  }
  access::TokenRequest request;
  request.agent = f.agent;
  request.allow = f.allow;
  request.max_rows = f.max_rows;
  request.ttl = *ttl;
  request.reason = f.reason;
  return request;
}

}  // namespace airlock::app
