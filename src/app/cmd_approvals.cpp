// airlock approvals list|show|approve|deny: read and decide held statements in the state
// store named by the config's state.path, while the gateway runs (docs/policy.md,
// "Approvals"). Exit 0 on success, 1 when the store refuses (unknown id, already decided,
// expired) or cannot be opened, 2 on usage or config errors.
#include <iostream>
#include <memory>
#include <string>

#include "app/approvals_view.hpp"
#include "app/commands.hpp"
#include "app/store_cli.hpp"

namespace airlock::app {
namespace {

struct ApprovalsOptions {
  std::string config;
  std::string id;
  std::string note;
  std::string status = "pending";
  std::string agent;
  std::size_t limit = 100;
  bool json = false;
};

// The store of the config's state.path, or null after printing why; `exit_code` is set.
std::unique_ptr<state::Store> open_store(const std::string& config_path, int& exit_code) {
  return open_config_store("approvals", config_path, exit_code).store;
}

int refused(const Error& e) {
  std::cerr << "airlock approvals: " << e.message << "\n";
  return kExitRefused;
}

int run_list(const ApprovalsOptions& o) {
  int exit_code = kExitOk;
  auto store = open_store(o.config, exit_code);
  if (!store) return exit_code;
  state::ApprovalFilter filter;
  filter.status = state::approval_status_from(o.status);  // "all": nullopt, every status
  filter.agent = o.agent;
  filter.limit = o.limit;
  const std::int64_t now = now_ms();
  auto list = store->list_approvals(filter, now);
  if (!list) return refused(list.error());
  if (o.json) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& a : *list) out.push_back(approval_json(a));
    std::cout << out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else if (list->empty()) {
    std::cout << "no " << (o.status == "all" ? "" : o.status + " ") << "approvals\n";
  } else {
    std::cout << approvals_table(*list, now);
  }
  return kExitOk;
}

int run_show(const ApprovalsOptions& o) {
  int exit_code = kExitOk;
  auto store = open_store(o.config, exit_code);
  if (!store) return exit_code;
  const std::int64_t now = now_ms();
  auto found = store->get_approval(o.id, now);
  if (!found) return refused(found.error());
  if (!*found) return refused(Error::make(state::kNotFound, "no approval " + o.id));
  if (o.json) {
    std::cout << approval_json(**found).dump(2, ' ', false,
                                             nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << approval_details(**found, now);
  }
  return kExitOk;
}

int run_decide(const ApprovalsOptions& o, bool approve) {
  int exit_code = kExitOk;
  auto store = open_store(o.config, exit_code);
  if (!store) return exit_code;
  const std::int64_t now = now_ms();
  auto decided = store->decide_approval(o.id, approve, os_user(), o.note, now);
  if (!decided) return refused(decided.error());
  std::cout << approval_details(*decided, now);
  return kExitOk;
}

}  // namespace

void register_approvals(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ApprovalsOptions>();
  auto* approvals = app.add_subcommand("approvals", "List, show, approve or deny held statements");
  approvals->require_subcommand(1);

  auto* list = add_store_command(approvals, "list", "Requests, newest first", o->config);
  list->add_option("--status", o->status,
                   "pending (default), approved, denied, executed, "
                   "expired or all")
      ->check(CLI::IsMember({"pending", "approved", "denied", "executed", "expired", "all"}));
  list->add_option("--agent", o->agent, "Only this agent's requests");
  list->add_option("--limit", o->limit, "At most this many (default 100; 0 = no limit)");
  list->add_flag("--json", o->json, "A JSON array instead of a table");
  list->callback([o, &exit_code] { exit_code = run_list(*o); });

  auto* show = add_store_command(approvals, "show", "One request in full", o->config);
  show->add_option("id", o->id, "Approval id (apr_...)")->required();
  show->add_flag("--json", o->json, "A JSON object instead of text");
  show->callback([o, &exit_code] { exit_code = run_show(*o); });

  for (bool approve : {true, false}) {
    auto* cmd =
        add_store_command(approvals, approve ? "approve" : "deny",
                          approve ? "Let the held statement run, once" : "Refuse it", o->config);
    cmd->add_option("id", o->id, "Approval id (apr_...)")->required();
    cmd->add_option("--note", o->note, "Why, for the record");
    cmd->callback([o, approve, &exit_code] { exit_code = run_decide(*o, approve); });
  }
}

}  // namespace airlock::app
