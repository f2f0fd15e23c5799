// airlock policy test FILE...: decision tables in YAML, like `opa test`. Each file names a
// config (`config:`, relative to the file) or holds an inline `policy:` (an agents
// mapping), and a list of cases {name, agent, sql, expect, rule?, masked?}. Prints each
// failure, then "N passed, N failed". Exit 0 when none failed, 1 otherwise, 2 on usage
// errors.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
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

// One item of `masked:`: `2` (position 2 of the first statement), or "[S:]P[=style]".
struct MaskExpectation {
  std::size_t statement = 0;
  std::size_t position = 0;
  std::optional<MaskStyle> style;
};

std::optional<std::size_t> number(std::string_view text) {
  std::size_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::optional<MaskExpectation> parse_mask_item(std::string_view item) {
  MaskExpectation m;
  if (const auto eq = item.find('='); eq != std::string_view::npos) {
    m.style = parse_mask_style(item.substr(eq + 1));
    if (!m.style) return std::nullopt;
    item = item.substr(0, eq);
  }
  if (const auto colon = item.find(':'); colon != std::string_view::npos) {
    auto s = number(item.substr(0, colon));
    if (!s) return std::nullopt;
    m.statement = *s;
    item = item.substr(colon + 1);
  }
  auto p = number(item);
  if (!p) return std::nullopt;
  m.position = *p;
  return m;
}

// nullopt: not given; an empty vector: `masked: []`. False when malformed.
bool parse_masked(const YAML::Node& c, std::optional<std::vector<MaskExpectation>>& out) {
  const YAML::Node v = c["masked"];
  if (!v) return true;
  if (!v.IsSequence()) return false;
  out.emplace();
  for (const auto& item : v) {
    if (!item.IsScalar()) return false;
    auto m = parse_mask_item(item.Scalar());
    if (!m) return false;
    out->push_back(*m);
  }
  return true;
}

bool masks_match(const std::vector<MaskExpectation>& want, const policy::Decision& d) {
  if (want.size() != d.masked_outputs.size()) return false;
  for (const auto& w : want) {
    bool found = false;
    for (const auto& m : d.masked_outputs) {
      found = found || (m.statement == w.statement && m.position == w.position &&
                        (!w.style || *w.style == m.style));
    }
    if (!found) return false;
  }
  return true;
}

std::string show_masks(const policy::Decision& d) {
  std::string out = "[";
  for (const auto& m : d.masked_outputs) {
    if (out.size() > 1) out += ", ";
    out += std::to_string(m.statement) + ":" + std::to_string(m.position) + "=" +
           std::string(to_string(m.style));
  }
  return out + "]";
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
  std::optional<std::vector<MaskExpectation>> masked;
  if (!parse_masked(c, masked)) {
    std::cerr << file << ":" << line
              << ": masked: is a list of result positions, each N or \"[S:]N[=style]\"\n";
    return false;
  }
  auto it = cfg.agents.find(agent);
  if (it == cfg.agents.end()) {
    std::cerr << file << ":" << line << ": " << name << ": no agent '" << agent << "'\n";
    return false;
  }
  const policy::Decision d = decide(cfg, it->second, catalog, sql);
  const std::string got(policy::to_string(d.verdict));
  const bool masks_ok = !masked || masks_match(*masked, d);
  if (got == expect && (rule.empty() || rule == d.rule) && masks_ok) {
    ++tally.passed;
    return true;
  }
  ++tally.failed;
  std::cout << "FAIL " << file << ":" << line << ": " << name << "\n"
            << "  sql:      " << sql << "\n"
            << "  expected: " << expect << (rule.empty() ? "" : " (" + rule + ")") << "\n"
            << "  got:      " << got << " (" << d.rule << ")"
            << (d.reason.empty() ? "" : ": " + d.reason) << "\n";
  if (!masks_ok) {
    std::string want;
    for (const auto& item : c["masked"]) want += (want.empty() ? "" : ", ") + item.Scalar();
    std::cout << "  masked:   expected [" << want << "], got " << show_masks(d) << "\n";
  }
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
