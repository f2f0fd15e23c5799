// airlock token issue|list|revoke: just-in-time tokens in the state store named by the
// config's state.path (docs/access.md). A running gateway ends the sessions of a revoked
// token within a second. Exit 0 on success, 1 when the store refuses (unknown id, already
// revoked, a scope beyond the agent's policy) or cannot be opened, 2 on usage or config
// errors.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "access/issue.hpp"
#include "app/commands.hpp"
#include "app/store_cli.hpp"
#include "app/token_flags.hpp"
#include "state/time_text.hpp"

namespace airlock::app {
namespace {

struct TokenOptions {
  std::string config;
  TokenFlags token;
  std::string id;
  bool all = false;
  bool json = false;
};

int refused(const std::string& message) {
  std::cerr << "airlock token: " << message << "\n";
  return kExitRefused;
}

std::string status_of(const state::Token& t, std::int64_t now) {
  if (t.revoked_ms != 0) return "revoked";
  return t.expires_ms <= now ? "expired" : "live";
}

std::string scope_text(const state::Token& t) {
  if (t.allow.empty()) return "the agent's policy";
  std::string out;
  for (const auto& a : t.allow) out += (out.empty() ? "" : " ") + a;
  if (t.max_rows) out += " max_rows=" + std::to_string(*t.max_rows);
  return out;
}

nlohmann::ordered_json token_json(const state::Token& t, std::int64_t now) {
  nlohmann::ordered_json j;
  j["id"] = t.id;
  j["agent"] = t.agent;
  j["allow"] = t.allow;
  j["max_rows"] = t.max_rows ? nlohmann::ordered_json(*t.max_rows) : nlohmann::ordered_json();
  j["reason"] = t.reason;
  j["issued_by"] = t.issued_by;
  j["request_id"] = t.request_id;
  j["created_at"] = state::utc_text(t.created_ms);
  j["expires_at"] = state::utc_text(t.expires_ms);
  j["revoked_at"] = t.revoked_ms ? nlohmann::ordered_json(state::utc_text(t.revoked_ms))
                                 : nlohmann::ordered_json();
  j["status"] = status_of(t, now);
  j["sessions"] = t.sessions;
  return j;
}

int run_issue(const TokenOptions& o) {
  int exit_code = kExitOk;
  auto cs = open_config_store("token", o.config, exit_code);
  if (!cs.store) return exit_code;
  auto request = token_request("token", o.token);
  if (!request) return kExitUsage;
  request->issued_by = os_user();
  auto issued = access::issue_token(*cs.store, *cs.config, *request, now_ms());
  if (!issued) return refused(issued.error().message);
  const auto& t = issued->token;
  if (o.json) {
    nlohmann::ordered_json j;
    j["id"] = t.id;
    j["user"] = t.id;
    j["password"] = issued->secret;
    j["expires_at"] = state::utc_text(t.expires_ms);
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "token " << t.id << " for agent " << t.agent << ", scope " << scope_text(t)
              << ", expires at " << state::utc_text(t.expires_ms) << "\n"
              << "user:     " << t.id << "\n"
              << "password: " << issued->secret << "\n"
              << "The password is shown once; it is also the MCP bearer token.\n";
  }
  return kExitOk;
}

int run_list(const TokenOptions& o) {
  int exit_code = kExitOk;
  auto cs = open_config_store("token", o.config, exit_code);
  if (!cs.store) return exit_code;
  const auto now = now_ms();
  auto list = cs.store->list_tokens(!o.all, now);
  if (!list) return refused(list.error().message);
  if (o.json) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& t : *list) out.push_back(token_json(t, now));
    std::cout << out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  if (list->empty()) {
    std::cout << (o.all ? "no tokens\n" : "no live tokens\n");
    return kExitOk;
  }
  for (const auto& t : *list) {
    std::cout << t.id << "  " << t.agent << "  " << status_of(t, now) << "  expires "
              << state::utc_text(t.expires_ms) << "  sessions " << t.sessions << "\n"
              << "    scope: " << scope_text(t) << "\n";
    if (!t.reason.empty()) std::cout << "    reason: " << t.reason << "\n";
  }
  return kExitOk;
}

int run_revoke(const TokenOptions& o) {
  int exit_code = kExitOk;
  auto cs = open_config_store("token", o.config, exit_code);
  if (!cs.store) return exit_code;
  auto revoked = cs.store->revoke_token(o.id, os_user(), now_ms());
  if (!revoked) return refused(revoked.error().message);
  std::cout << "token " << revoked->id << " revoked; its sessions end within a second\n";
  return kExitOk;
}

}  // namespace

void register_token(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TokenOptions>();
  auto* token = app.add_subcommand("token", "Issue, list or revoke just-in-time tokens");
  token->require_subcommand(1);

  auto* issue =
      add_store_command(token, "issue", "A new token for one agent, printed once", o->config);
  add_token_flags(issue, o->token, false);
  issue->add_flag("--json", o->json, "{\"id\", \"user\", \"password\", \"expires_at\"}");
  issue->callback([o, &exit_code] { exit_code = run_issue(*o); });

  auto* list = add_store_command(token, "list", "Live tokens, newest first", o->config);
  list->add_flag("--all", o->all, "Also revoked and expired tokens");
  list->add_flag("--json", o->json, "A JSON array instead of text");
  list->callback([o, &exit_code] { exit_code = run_list(*o); });

  auto* revoke =
      add_store_command(token, "revoke", "End a token and every session using it", o->config);
  revoke->add_option("id", o->id, "Token id (tok_...)")->required();
  revoke->callback([o, &exit_code] { exit_code = run_revoke(*o); });
}

}  // namespace airlock::app
