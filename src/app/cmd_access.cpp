// airlock access request|status: ask for a just-in-time token on an agent's behalf, to be
// approved with `airlock approvals` or the admin API, and collect it once (docs/access.md,
// "Access requests"). Exit 0 when the request was stored or its state reported, 1 when it is
// refused (a scope beyond the agent's policy, unknown id) or the store cannot be opened, 2
// on usage or config errors.
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "access/collect.hpp"
#include "access/request.hpp"
#include "app/approval_webhook.hpp"
#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/store_cli.hpp"
#include "app/token_flags.hpp"
#include "state/time_text.hpp"

namespace airlock::app {
namespace {

using json = nlohmann::ordered_json;

struct AccessOptions {
  std::string config;
  TokenFlags token;
  std::string id;
  bool json = false;
};

int refused(const std::string& message) {
  std::cerr << "airlock access: " << message << "\n";
  return kExitRefused;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

int run_request(const AccessOptions& o) {
  int exit_code = kExitOk;
  auto cs = open_config_store("access", o.config, exit_code);
  if (!cs.store) return exit_code;
  auto request = token_request("access", o.token);
  if (!request) return kExitUsage;
  auto opened = access::open_access_request(*cs.store, *cs.config, *request, now_ms());
  if (!opened) return refused(opened.error().message);
  // The webhook's own failures are logged on stderr, never among the output.
  setup_logging("warn", "text");
  if (auto sent = notify_requested_once(cs.config->approvals.webhook, *opened); !sent) {
    std::cerr << "airlock access: " << sent.error().message
              << "; the request stands (airlock approvals list)\n";
  }
  if (o.json) {
    json j;
    j["id"] = opened->id;
    j["status"] = "pending";
    j["agent"] = opened->agent;
    j["request"] = opened->sql;
    j["expires_at"] = state::utc_text(opened->expires_ms);
    std::cout << dump(j) << "\n";
    return kExitOk;
  }
  std::cout << "access request " << opened->id << " for agent " << opened->agent << ": "
            << opened->sql << "\n"
            << "Pending until " << state::utc_text(opened->expires_ms)
            << ". Approve: airlock approvals approve --config " << o.config << " "
            << opened->id << "\n"
            << "Collect the token once: airlock access status --config " << o.config << " "
            << opened->id << "\n";
  return kExitOk;
}

int run_status(const AccessOptions& o) {
  int exit_code = kExitOk;
  auto cs = open_config_store("access", o.config, exit_code);
  if (!cs.store) return exit_code;
  auto got = access::collect_access(*cs.store, *cs.config, o.id, {}, now_ms());
  if (!got) return refused(got.error().message);
  const state::Approval& a = got->request;
  if (o.json) {
    std::cout << access::collection_json(*got) << "\n";
    return kExitOk;
  }
  std::string text = "access request " + a.id + " of agent " + a.agent + ": ";
  switch (got->status) {
    case access::Collected::Approved: {
      const auto& t = got->token->token;
      text += "approved by " + a.decided_by + "; token " + t.id + ", expires at " +
              state::utc_text(t.expires_ms) + "\nuser:     " + t.id +
              "\npassword: " + got->token->secret +
              "\nThe password is shown once; it is also the MCP bearer token.";
      break;
    }
    case access::Collected::Pending:
      text += "pending (expires at " + state::utc_text(a.expires_ms) + ")";
      break;
    case access::Collected::Denied:
      text += "denied by " + a.decided_by + (a.note.empty() ? "" : ": " + a.note);
      break;
    case access::Collected::Expired:
      text += "expired at " + state::utc_text(a.expires_ms);
      break;
    case access::Collected::Collected:
      text += "its token was collected at " + state::utc_text(a.executed_ms) +
              "; a token is delivered once (ask again if it was lost)";
      break;
  }
  std::cout << text << "\n";
  return kExitOk;
}

CLI::App* add_command(CLI::App* parent, const char* name, const char* help, AccessOptions& o) {
  auto* cmd = add_store_command(parent, name, help, o.config);
  cmd->add_flag("--json", o.json, "A JSON object instead of text");
  return cmd;
}

}  // namespace

void register_access(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<AccessOptions>();
  auto* cmd = app.add_subcommand("access", "Ask for a just-in-time token; collect it once");
  cmd->require_subcommand(1);

  auto* request = add_command(cmd, "request", "Ask for a token, to be approved", *o);
  add_token_flags(request, o->token, true);
  request->callback([o, &exit_code] { exit_code = run_request(*o); });

  auto* status = add_command(cmd, "status", "The request's state; its token, once", *o);
  status->add_option("id", o->id, "Request id (apr_...)")->required();
  status->callback([o, &exit_code] { exit_code = run_status(*o); });
}

}  // namespace airlock::app
