#pragma once
// Issuing just-in-time tokens (docs/access.md): the one place that turns a request for
// access into a token, used by `airlock token issue`, by the collection of an approved
// access request (CLI and MCP) and by nothing else. The secret is returned once and never
// stored: the store keeps a SCRAM verifier of it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/error.hpp"
#include "state/store.hpp"

namespace airlock::access {

inline constexpr std::chrono::milliseconds kDefaultTtl{15 * 60 * 1000};
inline constexpr std::chrono::milliseconds kMaxTtl{24 * 60 * 60 * 1000};
inline constexpr std::size_t kMaxReasonBytes = 500;

struct TokenRequest {
  std::string agent;
  std::vector<std::string> allow;  // "schema.table:action,..."; empty: the agent's whole policy
  std::optional<std::int64_t> max_rows;
  std::chrono::milliseconds ttl = kDefaultTtl;
  std::string reason;
  std::string issued_by;
  std::string request_id;  // the access request it answers, if any
  // Access requests: the login that asked (an agent's name or a token id; "" = the CLI). Over
  // MCP only that login may collect the token, so a narrower token of the same agent cannot.
  std::string requested_by;
};

struct IssuedToken {
  state::Token token;  // as stored
  std::string secret;  // the password and MCP bearer token: shown once
};

// Every reason `request` cannot be granted to its agent under `cfg` (unknown agent, a
// scope entry that does not parse or that the agent's policy does not grant, a ttl out of
// range, --max-rows without --allow, ...); empty: it can.
std::vector<std::string> check_request(const config::Config& cfg, const TokenRequest& request);

// check_request, then a new token in `store`. Errors: kInvalidParameterValue with every
// reason joined by "; ", or the store's failure.
Result<IssuedToken> issue_token(state::Store& store, const config::Config& cfg,
                                const TokenRequest& request, std::int64_t now_ms);

// "tok_0123456789abcdef" from a secret "tok_0123456789abcdef.<hex>"; nullopt when the text
// is not shaped like a token secret (an agent's own password, say).
std::optional<std::string> token_id_of_secret(std::string_view secret);

}  // namespace airlock::access
