#include "app/policy_source.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "sql/catalog_sources.hpp"

namespace airlock::app {
namespace {

std::shared_ptr<const config::Config> report(const config::LoadResult& loaded,
                                             const std::string& origin) {
  if (loaded.errors.empty()) return loaded.config;
  for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
  std::cerr << "airlock: " << loaded.errors.size() << " error(s) in " << origin << "\n";
  return nullptr;
}

}  // namespace

std::shared_ptr<const config::Config> load_policy_config(const std::string& path) {
  return report(config::load_config(path, config::LoadOptions{.secrets = false}), path);
}

std::shared_ptr<const config::Config> load_inline_policy(const std::string& agents_yaml,
                                                         const std::string& origin) {
  // The loader wants a whole file; the upstream section is a placeholder never used. The
  // state path is one too (never opened): a gateway cannot load holds or budgets without a
  // state store, so the agents are decided as a gateway with one would decide them.
  std::string yaml =
      "upstream: {database: policy-test, user: policy-test}\nstate: {path: policy-test.db}\n"
      "agents:\n  ";
  for (char c : agents_yaml) {
    yaml += c;
    if (c == '\n') yaml += "  ";
  }
  return report(config::load_config_from_string(yaml, origin,
                                                config::LoadOptions{.secrets = false}),
                origin);
}

std::optional<sql::Catalog> load_catalog(const std::string& schema_file, const std::string& dsn,
                                         std::string& error) {
  if (!dsn.empty()) return catalog_from_dsn(dsn, error);
  if (schema_file.empty()) return sql::Catalog{};
  std::ifstream in(schema_file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    error = "cannot read schema file " + schema_file;
    return std::nullopt;
  }
  auto catalog = sql::catalog_from_schema_sql(text.str());
  if (!catalog) {
    error = schema_file + ": " + catalog.error().message;
    return std::nullopt;
  }
  return std::move(*catalog);
}

}  // namespace airlock::app
