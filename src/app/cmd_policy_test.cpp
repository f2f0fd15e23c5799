// airlock policy test FILE...: decision tables in YAML, like `opa test`. Each file names a
// config (`config:`, relative to the file) or holds an inline `policy:` (an agents
// mapping), and a list of cases {name, agent, sql, expect, rule?}. Prints each failure,
// then "N passed, N failed". Exit 0 when none failed, 1 otherwise, 2 on usage errors.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/policy_source.hpp"

namespace airlock::app {
namespace {

struct Tally {
  int passed = 0;
  int failed = 0;
};

std::string text_of(const YAML::Node& case_node, const char* key) {
  const YAML::Node v = case_node[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

// False on a malformed case (a usage error); failures are counted in `tally`.
bool run_case(const std::string& file, const config::Config& cfg, const sql::Catalog& catalog,
              const YAML::Node& c, Tally& tally) {
  const std::string name = text_of(c, "name");
  const std::string agent = text_of(c, "agent");
  const std::string sql = text_of(c, "sql");
  const std::string expect = text_of(c, "expect");
  const std::string rule = text_of(c, "rule");
  const int line = c.Mark().line + 1;
  if (name.empty() || agent.empty() || !c["sql"] ||
      (expect != "allow" && expect != "deny" && expect != "hold")) {
    std::cerr << file << ":" << line
              << ": a case needs name, agent, sql and expect (allow | deny | hold)\n";
    return false;
  }
  auto it = cfg.agents.find(agent);
  if (it == cfg.agents.end()) {
    std::cerr << file << ":" << line << ": " << name << ": no agent '" << agent << "'\n";
    return false;
  }
  const policy::Decision d = decide(*it->second.policy, catalog, sql);
  const std::string got(policy::to_string(d.verdict));
  if (got == expect && (rule.empty() || rule == d.rule)) {
    ++tally.passed;
    return true;
  }
  ++tally.failed;
  std::cout << "FAIL " << file << ":" << line << ": " << name << "\n"
            << "  sql:      " << sql << "\n"
            << "  expected: " << expect << (rule.empty() ? "" : " (" + rule + ")") << "\n"
            << "  got:      " << got << " (" << d.rule << ")"
            << (d.reason.empty() ? "" : ": " + d.reason) << "\n";
  return true;
}

bool run_file(const std::string& file, Tally& tally) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    std::cerr << file << ": " << e.what() << "\n";
    return false;
  }
  if (!root.IsMap() || !root["cases"] || !root["cases"].IsSequence() ||
      (!root["config"] == !root["policy"])) {
    std::cerr << file << ": expected a mapping with `cases:` and one of `config:` or "
                         "`policy:`\n";
    return false;
  }
  const std::filesystem::path base = std::filesystem::path(file).parent_path();
  std::string error;
  const std::string schema = root["schema"] ? (base / root["schema"].as<std::string>()).string()
                                            : std::string();
  const auto catalog = load_catalog(schema, "", error);
  if (!catalog) {
    std::cerr << file << ": " << error << "\n";
    return false;
  }
  std::shared_ptr<const config::Config> cfg =
      root["config"] ? load_policy_config((base / root["config"].as<std::string>()).string())
                     : load_inline_policy(YAML::Dump(root["policy"]), file + " (policy:)");
  if (!cfg) return false;
  bool ok = true;
  for (const auto& c : root["cases"]) ok = run_case(file, *cfg, *catalog, c, tally) && ok;
  return ok;
}

}  // namespace

void register_policy_test(CLI::App& app, int& exit_code) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* policy = app.add_subcommand("policy", "Policy tools");
  policy->require_subcommand(1);
  auto* test = policy->add_subcommand("test", "Run decision tables (YAML)");
  test->add_option("files", *files, "Decision table files")->required()->check(
      CLI::ExistingFile);
  test->callback([files, &exit_code] {
    Tally tally;
    bool usable = true;
    for (const auto& f : *files) usable = run_file(f, tally) && usable;
    std::cout << tally.passed << " passed, " << tally.failed << " failed\n";
    exit_code = !usable ? kExitUsage : tally.failed > 0 ? kExitRefused : kExitOk;
  });
}

}  // namespace airlock::app
