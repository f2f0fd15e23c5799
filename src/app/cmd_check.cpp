// airlock check: decide SQL for one agent without a gateway or a database, as the gateway
// would (the policy, then the gateway's statement rules), one JSON line out per statement
// string in. Exit 0 when all were allowed, 1 when any was denied or
// held, 2 on usage or config errors (docs/policy.md, "airlock check").
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app/commands.hpp"
#include "app/policy_source.hpp"

namespace airlock::app {
namespace {

struct CheckOptions {
  std::string config;
  std::string agent;
  std::string schema;
  std::string dsn;
  std::string sql;
  std::string jsonl;
};

// One output line. Reasons quote the statement and parser messages, which may hold any
// bytes: invalid UTF-8 becomes U+FFFD instead of throwing (the line is always valid JSON).
std::string dump_line(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Keys in the documented order (docs/policy.md, "airlock check").
nlohmann::ordered_json to_json(const nlohmann::json& id, const policy::Decision& d) {
  nlohmann::ordered_json out;
  out["id"] = id;
  out["decision"] = std::string(policy::to_string(d.verdict));
  out["rule"] = d.rule;
  out["reason"] = d.reason;
  out["hint"] = d.hint;
  out["row_limit"] = d.row_limit ? nlohmann::ordered_json(*d.row_limit) : nullptr;
  out["masked_columns"] = d.masked_columns;
  return out;
}

// Returns false when the line is not {"id": ..., "sql": "..."}.
bool check_line(const config::Config& cfg, const config::Agent& agent,
                const sql::Catalog& catalog, const std::string& line, bool& refused) {
  const nlohmann::json in = nlohmann::json::parse(line, nullptr, false);
  if (in.is_discarded() || !in.is_object() || !in.contains("sql") || !in["sql"].is_string())
    return false;
  const policy::Decision d = decide(cfg, agent, catalog, in["sql"].get<std::string>());
  refused = refused || d.verdict != policy::Verdict::Allow;
  std::cout << dump_line(to_json(in.value("id", nlohmann::json(nullptr)), d)) << "\n";
  return true;
}

int run_check(const CheckOptions& o) {
  std::string error;
  const auto catalog = load_catalog(o.schema, o.dsn, error);
  if (!catalog) {
    std::cerr << "airlock check: " << error << "\n";
    return kExitUsage;
  }
  auto cfg = load_policy_config(o.config);
  if (!cfg) return kExitUsage;
  auto it = cfg->agents.find(o.agent);
  if (it == cfg->agents.end() || !it->second.policy) {
    std::cerr << "airlock check: no agent '" << o.agent << "' in " << o.config << "\n";
    return kExitUsage;
  }
  const config::Agent& agent = it->second;
  bool refused = false;
  if (!o.sql.empty()) {
    const policy::Decision d = decide(*cfg, agent, *catalog, o.sql);
    refused = d.verdict != policy::Verdict::Allow;
    std::cout << dump_line(to_json(nullptr, d)) << "\n";
    return refused ? kExitRefused : kExitOk;
  }
  std::ifstream in(o.jsonl == "-" ? "/dev/stdin" : o.jsonl, std::ios::binary);
  if (!in) {
    std::cerr << "airlock check: cannot open " << o.jsonl << "\n";
    return kExitUsage;
  }
  std::string line;
  int line_no = 0;
  bool bad = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!check_line(*cfg, agent, *catalog, line, refused)) {
      std::cerr << o.jsonl << ":" << line_no << ": expected {\"id\": ..., \"sql\": \"...\"}\n";
      bad = true;
    }
  }
  if (bad) return kExitUsage;
  return refused ? kExitRefused : kExitOk;
}

}  // namespace

void register_check(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand("check", "Decide SQL for one agent, one JSON line each");
  cmd->add_option("-c,--config", o->config, "Config file (YAML)")->required();
  cmd->add_option("-a,--agent", o->agent, "Agent name")->required();
  auto* schema = cmd->add_option("--schema", o->schema, "Schema file (CREATE statements)");
  auto* dsn = cmd->add_option("--dsn", o->dsn, "Read the catalog from this database");
  schema->excludes(dsn);
  auto* sql = cmd->add_option("--sql", o->sql, "One SQL string (may hold several statements)");
  auto* jsonl = cmd->add_option("--jsonl", o->jsonl, "File of {\"id\", \"sql\"} lines; - = stdin");
  sql->excludes(jsonl);
  cmd->callback([o, &exit_code] {
    if (o->sql.empty() && o->jsonl.empty())
      throw CLI::RequiredError("one of --sql or --jsonl");
    try {
      exit_code = run_check(*o);
    } catch (const std::exception& e) {  // never std::terminate: report and exit 2
      std::cerr << "airlock check: " << e.what() << "\n";
      exit_code = kExitUsage;
    }
  });
}

}  // namespace airlock::app
