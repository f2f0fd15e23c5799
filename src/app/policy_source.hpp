#pragma once
// What `airlock check` and `airlock policy test` evaluate against: the agents' compiled
// policies (from a config file or an inline `policy:` mapping, loaded without secrets) and
// an optional catalog (from a schema file or a live database).
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "policy/agent_policy.hpp"
#include "policy/decision.hpp"
#include "sql/catalog.hpp"

namespace airlock::app {

// Loads a config file for policy evaluation (no *_env variables read). Prints every error
// to stderr and returns null on failure.
std::shared_ptr<const config::Config> load_policy_config(const std::string& path);

// As above from YAML text holding an agents mapping (credentials optional).
std::shared_ptr<const config::Config> load_inline_policy(const std::string& agents_yaml,
                                                         const std::string& origin);

// The catalog names resolve against: from a schema file (CREATE statements, e.g.
// pg_dump --schema-only), from a live database (catalog_dsn.cpp), or only the built-in
// pg_catalog when both are empty. nullopt with `error` set on failure.
std::optional<sql::Catalog> load_catalog(const std::string& schema_file, const std::string& dsn,
                                         std::string& error);
std::optional<sql::Catalog> catalog_from_dsn(const std::string& dsn, std::string& error);

// Decides one SQL string for one agent as the gateway would at the start of a session
// (search_path "public", no prepared statements): policy::evaluate, then the gateway's rules
// that depend only on the statement (proxy/gateway_rules.hpp), with the runtime facts the
// gateway would have for `cfg`: a state store when state.path is set (decide.cpp). Then the
// agent's require_intent (proxy/intent_rule.hpp), with the intent a comment of `sql` states
// or `stated` (one given outside the statement: a recorded intent, for replay).
policy::Decision decide(const config::Config& cfg, const config::Agent& agent,
                        const sql::Catalog& catalog, const std::string& sql,
                        std::string_view stated = {});

}  // namespace airlock::app
