// Issuing tokens: the checks, the secret, the verifier, the row in the store.
#include "access/issue.hpp"

#include <algorithm>

#include "auth/scram.hpp"
#include "auth/verifier.hpp"
#include "core/hex.hpp"
#include "policy/token_scope.hpp"

namespace airlock::access {
namespace {

constexpr std::size_t kSecretBytes = 24;  // 192 bits after the id
constexpr std::size_t kSaltBytes = 16;
constexpr int kIterations = 4096;  // SCRAM's default, as PostgreSQL uses

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> check_request(const config::Config& cfg, const TokenRequest& request) {
  std::vector<std::string> why;
  auto agent = cfg.agents.find(request.agent);
  if (agent == cfg.agents.end()) {
    why.push_back("no agent '" + request.agent + "' in the configuration");
    return why;
  }
  std::vector<policy::ScopeEntry> scope;
  for (const auto& text : request.allow) {
    auto e = policy::parse_scope_entry(text);
    if (!e) {
      why.push_back(e.error().message);
      continue;
    }
    scope.push_back(std::move(*e));
  }
  if (agent->second.policy) {
    for (auto& b : policy::beyond_policy(*agent->second.policy, scope)) {
      why.push_back("a token never widens its agent's policy: " + b);
    }
  }
  if (request.max_rows && request.allow.empty()) {
    why.push_back(
        "max_rows needs an allow list: a token without one has its agent's policy as it is");
  }
  if (request.max_rows && *request.max_rows < 0) why.push_back("max_rows must be 0 or more");
  if (request.max_rows) {
    for (const auto& e : scope) {
      if (std::find(e.actions.begin(), e.actions.end(), policy::Action::Truncate) != e.actions.end()) {
        why.push_back("truncate on " + policy::display(e.table) +
                      " cannot be limited to max_rows (no row count): leave it out or drop max_rows");
      }
    }
  }
  if (request.ttl.count() <= 0) why.push_back("the ttl must be positive");
  if (request.ttl > kMaxTtl) why.push_back("the ttl may be at most 24h");
  if (request.reason.size() > kMaxReasonBytes) {
    why.push_back("the reason may be at most " + std::to_string(kMaxReasonBytes) + " bytes");
  }
  return why;
}

Result<IssuedToken> issue_token(state::Store& store, const config::Config& cfg,
                                const TokenRequest& request, std::int64_t now_ms) {
  if (auto why = check_request(cfg, request); !why.empty()) {
    std::string text;
    for (const auto& w : why) text += (text.empty() ? "" : "; ") + w;
    return fail(sqlstate::kInvalidParameterValue, std::move(text));
  }
  IssuedToken out;
  state::Token& t = out.token;
  t.id = state::new_token_id();
  t.agent = request.agent;
  for (const auto& text : request.allow) {
    t.allow.push_back(policy::parse_scope_entry(text)->written);
  }
  t.max_rows = request.max_rows;
  t.reason = request.reason;
  t.request_id = request.request_id;
  t.issued_by = request.issued_by;
  t.created_ms = now_ms;
  t.expires_ms = now_ms + request.ttl.count();
  out.secret = t.id + "." + to_hex(auth::random_bytes(kSecretBytes));
  t.verifier = auth::format_verifier(
      auth::make_verifier(out.secret, auth::random_bytes(kSaltBytes), kIterations));
  if (auto s = store.add_token(t); !s) return std::unexpected(s.error());
  return out;
}

std::optional<std::string> token_id_of_secret(std::string_view secret) {
  constexpr std::size_t kIdSize = 4 + 16;  // "tok_" + 16 hex
  if (secret.size() != kIdSize + 1 + 2 * kSecretBytes || !secret.starts_with("tok_") ||
      secret[kIdSize] != '.' || !is_hex(secret.substr(4, 16)) ||
      !is_hex(secret.substr(kIdSize + 1))) {
    return std::nullopt;
  }
  return std::string(secret.substr(0, kIdSize));
}

}  // namespace airlock::access
