// Data-driven: each case is a YAML text and the exact set of errors it must produce,
// each given as a substring of ConfigError::to_string() ("t.yaml:<line>: <key>: <message>").
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace airlock::config {
namespace {

struct ErrorCase {
  const char* name;
  std::string yaml;
  std::vector<std::string> expected;   // one substring per error, all errors listed
  std::vector<std::string> forbidden;  // must appear in no message (secrets)
};

// Line 1: a valid upstream.
const std::string kUp = "upstream: {database: app, user: airlock}\n";
// Three lines: a valid agent.
const std::string kAgent = "agents:\n  bot:\n    password_env: CFG_TEST_BOT_PASSWORD\n";
// An agent whose rule list starts at line 6 (first entry at line 6).
const std::string kRulesHead = kUp + "agents:\n  bot:\n    password_env: CFG_TEST_BOT_PASSWORD\n"
                                     "    allow:\n";

const std::vector<ErrorCase>& cases() {
  static const std::vector<ErrorCase> all = {
      // --- ports and addresses
      {"upstream_port_zero", "upstream: {database: app, user: airlock, port: 0}\n" + kAgent,
       {"t.yaml:1: upstream.port: expected an integer between 1 and 65535, got '0'"}, {}},
      {"upstream_port_too_big",
       "upstream:\n  database: app\n  user: airlock\n  port: 70000\n" + kAgent,
       {"t.yaml:4: upstream.port: expected an integer between 1 and 65535, got '70000'"}, {}},
      {"listen_port_out_of_range", "listen: 127.0.0.1:99999\n" + kUp + kAgent,
       {"t.yaml:1: listen: port must be an integer between 1 and 65535, got '99999'"}, {}},
      {"listen_without_port", "listen: localhost\n" + kUp + kAgent,
       {"t.yaml:1: listen: expected \"host:port\""}, {}},
      {"listen_map_typo", "listen: {host: 0.0.0.0, prot: 7000}\n" + kUp + kAgent,
       {"t.yaml:1: listen.prot: unknown key (did you mean 'port'?)"}, {}},
      {"threads_negative", "threads: -1\n" + kUp + kAgent,
       {"t.yaml:1: threads: expected an integer between 0 and 1024, got '-1'"}, {}},
      {"unix_socket_dir_missing", "unix_socket_dir: /nonexistent/airlock\n" + kUp + kAgent,
       {"t.yaml:1: unix_socket_dir: '/nonexistent/airlock' is not an existing directory"}, {}},
      // --- required pieces
      {"upstream_database_user_missing", "upstream: {host: db.internal}\n" + kAgent,
       {"t.yaml:1: upstream.database: required key is missing",
        "t.yaml:1: upstream.user: required key is missing"}, {}},
      {"sections_missing", "listen: 127.0.0.1:6432\n",
       {"t.yaml:1: upstream: required key is missing",
        "t.yaml:1: agents: required key is missing"}, {}},
      {"no_agents", kUp + "agents: {}\n", {"t.yaml:2: agents: at least one agent is required"}, {}},
      {"empty_file", "", {"t.yaml: the file is empty"}, {}},
      {"not_a_mapping", "- upstream\n- agents\n", {"t.yaml:1: expected a mapping, got a list"}, {}},
      {"two_documents", kUp + kAgent + "---\nlisten: 1.2.3.4:5\n",
       {"t.yaml:6: expected one YAML document, found several"}, {}},
      // --- upstream credentials and TLS
      {"upstream_env_unset",
       "upstream: {database: app, user: airlock, password_env: CFG_TEST_UNSET}\n" + kAgent,
       {"t.yaml:1: upstream.password_env: environment variable CFG_TEST_UNSET is not set"}, {}},
      {"upstream_env_and_password",
       "upstream:\n  database: app\n  user: a\n  password_env: CFG_TEST_BOT_PASSWORD\n"
       "  password: hunter2\n" + kAgent,
       {"t.yaml:5: upstream.password: set either password_env or password, not both"},
       {"hunter2", "bot-secret"}},
      {"sslmode_typo", "upstream: {database: app, user: a, sslmode: verify-ful}\n" + kAgent,
       {"t.yaml:1: upstream.sslmode: expected one of disable, prefer, require, verify-full, "
        "got 'verify-ful' (did you mean 'verify-full'?)"}, {}},
      {"verify_full_needs_rootcert",
       "upstream:\n  database: app\n  user: a\n  sslmode: verify-full\n" + kAgent,
       {"t.yaml:4: upstream.sslrootcert: sslmode verify-full needs sslrootcert"}, {}},
      {"sslrootcert_missing_file",
       "upstream: {database: app, user: a, sslrootcert: /nonexistent/ca.crt}\n" + kAgent,
       {"t.yaml:1: upstream.sslrootcert: file '/nonexistent/ca.crt' does not exist"}, {}},
      {"tls_files_missing", "tls:\n  cert: /nonexistent/s.crt\n  key: /nonexistent/s.key\n" +
                                kUp + kAgent,
       {"t.yaml:2: tls.cert: file '/nonexistent/s.crt' does not exist",
        "t.yaml:3: tls.key: file '/nonexistent/s.key' does not exist"}, {}},
      {"tls_key_missing", "tls: {cert: /nonexistent/s.crt}\n" + kUp + kAgent,
       {"t.yaml:1: tls.cert: file '/nonexistent/s.crt' does not exist",
        "t.yaml:1: tls.key: required key is missing"}, {}},
      // --- settings
      {"timeouts_invalid", "timeouts:\n  connect: 5 parsecs\n  client_idle: 0\n  write: 0\n" +
                               kUp + kAgent,
       {"t.yaml:2: timeouts.connect: expected a duration such as 250ms, 5s, 2m, 1h or 0, "
        "got '5 parsecs'",
        "t.yaml:4: timeouts.write: must be greater than 0"}, {}},
      {"limits_invalid", "limits: {max_message_bytes: 64XB, max_connections: 0}\n" + kUp + kAgent,
       {"t.yaml:1: limits.max_message_bytes: expected a size such as 64MiB",
        "t.yaml:1: limits.max_connections: expected an integer between 1 and 1000000"}, {}},
      {"log_invalid", "log:\n  level: verbose\n  format: xml\n" + kUp + kAgent,
       {"t.yaml:2: log.level: expected one of trace, debug, info, warn, error, got 'verbose'",
        "t.yaml:3: log.format: expected one of text, json, got 'xml'"}, {}},
      {"startup_parameter_invalid",
       "startup_parameters:\n  allow:\n    - search_path\n    - bad name\n" + kUp + kAgent,
       {"t.yaml:4: startup_parameters.allow[1]: 'bad name' is not a parameter name"}, {}},
      // --- unknown and duplicate keys
      {"unknown_top_level_key", "upstrem: {database: app, user: a}\n" + kAgent,
       {"t.yaml:1: upstrem: unknown key (did you mean 'upstream'?)",
        "t.yaml:1: upstream: required key is missing"}, {}},
      {"unknown_key_no_suggestion", kUp + "colour: blue\n" + kAgent,
       {"t.yaml:2: colour: unknown key (expected one of: listen, unix_socket_dir,"}, {}},
      {"duplicate_key", kUp + kAgent + kUp, {"t.yaml:5: upstream: duplicate key"}, {}},
      // --- agents
      {"agent_name_invalid",
       kUp + "agents:\n  bad/name:\n    password_env: CFG_TEST_BOT_PASSWORD\n",
       {"t.yaml:3: agents.bad/name: agent names may contain only letters, digits"}, {}},
      {"agent_name_reserved_for_tokens",
       kUp + "agents:\n  tok_helper:\n    password_env: CFG_TEST_BOT_PASSWORD\n",
       {"t.yaml:3: agents.tok_helper: agent names may not start with 'tok_'"}, {}},
      {"login_unknown",
       kUp + "agents:\n  bot:\n    password_env: CFG_TEST_BOT_PASSWORD\n    login: sso\n",
       {"t.yaml:5: agents.bot.login: "}, {}},
      {"agent_name_too_long",
       kUp + "agents:\n  " + std::string(64, 'a') + ":\n    password_env: CFG_TEST_BOT_PASSWORD\n",
       {"t.yaml:3: agents." + std::string(64, 'a') + ": agent names are 1 to 63 characters"}, {}},
      {"upstream_user_null", "upstream:\n  database: app\n  user:\n" + kAgent,
       {"t.yaml:3: upstream.user: has no value"}, {}},
      {"agent_empty", kUp + "agents:\n  bot:\n", {"t.yaml:3: agents.bot: has no value"}, {}},
      {"agent_key_typo", kUp + "agents:\n  bot:\n    pasword_env: CFG_TEST_BOT_PASSWORD\n",
       {"t.yaml:4: agents.bot.pasword_env: unknown key (did you mean 'password_env'?)",
        "t.yaml:4: agents.bot: needs one of password_env or scram_verifier"}, {}},
      {"agent_env_unset", kUp + "agents:\n  bot:\n    password_env: CFG_TEST_UNSET\n",
       {"t.yaml:4: agents.bot.password_env: environment variable CFG_TEST_UNSET is not set"}, {}},
      {"agent_env_empty", kUp + "agents:\n  bot:\n    password_env: CFG_TEST_EMPTY\n",
       {"t.yaml:4: agents.bot.password_env: environment variable CFG_TEST_EMPTY is empty"}, {}},
      {"agent_env_holds_a_password", kUp + "agents:\n  bot:\n    password_env: \"s3cr3t pa$$\"\n",
       {"t.yaml:4: agents.bot.password_env: not a valid environment variable name"}, {"s3cr3t"}},
      {"agent_both_credentials",
       kUp + "agents:\n  bot:\n    password_env: CFG_TEST_BOT_PASSWORD\n"
             "    scram_verifier: \"SCRAM-SHA-256$4096:c2FsdA==$a:b\"\n",
       {"t.yaml:5: agents.bot.scram_verifier: set either password_env or scram_verifier"}, {}},
      {"agent_bad_verifier", kUp + "agents:\n  bot:\n    scram_verifier: \"md5deadbeef\"\n",
       {"t.yaml:4: agents.bot.scram_verifier: not a SCRAM-SHA-256 verifier"}, {"deadbeef"}},
      {"agent_mode_typo", kUp + kAgent + "    mode: enforcing\n",
       {"t.yaml:5: agents.bot.mode: expected one of enforce, observe, shadow, got 'enforcing' "
        "(did you mean 'enforce'?)"}, {}},
      // --- rules
      {"rules_not_a_list", kRulesHead + "      tables: [public.t]\n",
       {"t.yaml:6: agents.bot.allow: expected a list of rules"}, {}},
      {"rule_action_typo",
       kRulesHead + "      - tables: [public.t]\n        actions: [select, selcet]\n",
       {"t.yaml:7: agents.bot.allow[0].actions[1]: expected one of select, insert, update, "
        "delete, truncate, references, trigger, ddl, lock, copy, got 'selcet' "
        "(did you mean 'select'?)"}, {}},
      {"rule_table_unqualified", kRulesHead + "      - tables: [tickets]\n",
       {"t.yaml:6: agents.bot.allow[0].tables[0]: 'tickets' must be schema-qualified"}, {}},
      {"rule_table_uppercase",
       kRulesHead + "      - tables:\n          - public.tickets\n          - public.Tickets\n",
       {"t.yaml:8: agents.bot.allow[0].tables[1]: 'Tickets' has uppercase letters"}, {}},
      {"rule_sequence_and_function_names",
       kRulesHead + "      - sequences: [a.b.c]\n      - functions: ['public.\"open']\n",
       {"t.yaml:6: agents.bot.allow[0].sequences[0]: 'a.b.c' must be schema-qualified",
        "t.yaml:7: agents.bot.allow[1].functions[0]: 'public.\"open' has an unterminated"}, {}},
      {"rule_column_names", kRulesHead + "      - tables: [public.c]\n        mask: [Email]\n"
                                         "        deny_columns: [\"1st\"]\n",
       {"t.yaml:7: agents.bot.allow[0].mask[0]: 'Email' has uppercase letters",
        "t.yaml:8: agents.bot.allow[0].deny_columns[0]: '1st' is not a valid unquoted name"}, {}},
      {"rule_max_rows", kRulesHead + "      - tables: [public.t]\n        max_rows: 0\n"
                                     "      - tables: [public.t]\n        max_rows: many\n",
       {"t.yaml:7: agents.bot.allow[0].max_rows: expected an integer greater than 0, got '0'",
        "t.yaml:9: agents.bot.allow[1].max_rows: expected an integer greater than 0, got 'many'"},
       {}},
      {"rule_over_limit", kRulesHead + "      - tables: [public.t]\n        over_limit: queue\n",
       {"t.yaml:7: agents.bot.allow[0].over_limit: expected one of deny, hold, got 'queue'"}, {}},
      {"rule_without_object", kRulesHead + "      - actions: [select]\n",
       {"t.yaml:6: agents.bot.allow[0]: a rule needs at least one of tables, sequences or "
        "functions"}, {}},
      {"rule_empty_tables", kRulesHead + "      - tables: []\n",
       {"t.yaml:6: agents.bot.allow[0].tables: must not be an empty list"}, {}},
      {"rule_key_typo", kRulesHead + "      - tables: [public.t]\n        action: [select]\n",
       {"t.yaml:7: agents.bot.allow[0].action: unknown key (did you mean 'actions'?)"}, {}},
      {"hold_rule_checked", kUp + kAgent + "    hold:\n      - tables: [public.t]\n"
                                           "        actions: [upsert]\n"
                                           "state: {path: s.db}\n",
       {"t.yaml:7: agents.bot.hold[0].actions[0]: expected one of select"}, {}},
      // --- state, approvals, budgets (issue #4)
      {"state_directory_missing", "state: {path: /nonexistent/airlock/state.db}\n" + kUp + kAgent,
       {"t.yaml:1: state.path: directory '/nonexistent/airlock' does not exist"}, {}},
      {"state_path_is_a_directory", "state: {path: /tmp}\n" + kUp + kAgent,
       {"t.yaml:1: state.path: '/tmp' is a directory, not a file"}, {}},
      {"state_without_path", "state: {pth: s.db}\n" + kUp + kAgent,
       {"t.yaml:1: state.pth: unknown key (did you mean 'path'?)",
        "t.yaml:1: state.path: required key is missing"}, {}},
      {"state_path_empty", "state: {path: ''}\n" + kUp + kAgent,
       {"t.yaml:1: state.path: must not be empty"}, {}},
      {"approvals_durations", "approvals:\n  hold_wait: soon\n  expire_after: 0\n" + kUp + kAgent,
       {"t.yaml:2: approvals.hold_wait: expected a duration",
        "t.yaml:3: approvals.expire_after: must be greater than 0"}, {}},
      {"approvals_expire_before_wait",
       "approvals: {hold_wait: 2m, expire_after: 1m}\n" + kUp + kAgent,
       {"t.yaml:1: approvals.expire_after: must not be shorter than hold_wait"}, {}},
      {"approvals_wait_beyond_default_expiry", "approvals: {hold_wait: 2h}\n" + kUp + kAgent,
       {"t.yaml:1: approvals.hold_wait: must not be longer than expire_after (default 1h)"}, {}},
      {"approvals_key_typo", "approvals: {hold_wiat: 1m}\n" + kUp + kAgent,
       {"t.yaml:1: approvals.hold_wiat: unknown key (did you mean 'hold_wait'?)"}, {}},
      {"webhook_url_scheme",
       "approvals:\n  webhook: {url: 'ftp://hooks.example/x'}\n" + kUp + kAgent,
       {"t.yaml:2: approvals.webhook.url: expected an http:// or https:// URL with a host"}, {}},
      {"webhook_url_without_host", "approvals:\n  webhook: {url: 'https:///x'}\n" + kUp + kAgent,
       {"t.yaml:2: approvals.webhook.url: expected an http:// or https:// URL with a host"}, {}},
      {"webhook_url_required", "approvals:\n  webhook: {timeout: 5s}\n" + kUp + kAgent,
       {"t.yaml:2: approvals.webhook.url: required key is missing"}, {}},
      {"webhook_timeout_zero",
       "approvals:\n  webhook:\n    url: https://hooks.example/x\n    timeout: 0\n" + kUp + kAgent,
       {"t.yaml:4: approvals.webhook.timeout: must be greater than 0"}, {}},
      {"webhook_secret_env_unset",
       "approvals:\n  webhook: {url: 'https://hooks.example/x', secret_env: CFG_TEST_UNSET}\n" +
           kUp + kAgent,
       {"t.yaml:2: approvals.webhook.secret_env: environment variable CFG_TEST_UNSET is not set"},
       {}},
      {"webhook_secret_env_holds_a_secret",
       "approvals:\n  webhook: {url: 'https://hooks.example/x', secret_env: 'tok en!'}\n" + kUp +
           kAgent,
       {"t.yaml:2: approvals.webhook.secret_env: not a valid environment variable name"},
       {"tok en!"}},
      {"budgets_not_a_list", kUp + kAgent + "    budgets: {max_rows: 5}\n",
       {"t.yaml:5: agents.bot.budgets: expected a list of budgets"}, {}},
      {"budget_fields", kUp + kAgent + "    budgets:\n"
                                     "      - tables: [public.T]\n"
                                     "        actions: [select]\n"
                                     "        max_rows: 0\n"
                                     "        window: 0\n"
                                     "        over_limit: queue\n"
                                     "state: {path: s.db}\n",
       {"t.yaml:6: agents.bot.budgets[0].tables[0]: 'T' has uppercase letters",
        "t.yaml:7: agents.bot.budgets[0].actions[0]: expected one of insert, update, delete, "
        "merge, got 'select'",
        "t.yaml:8: agents.bot.budgets[0].max_rows: expected an integer greater than 0, got '0'",
        "t.yaml:9: agents.bot.budgets[0].window: must be greater than 0",
        "t.yaml:10: agents.bot.budgets[0].over_limit: expected one of deny, hold, got 'queue'"},
       {}},
      {"budget_max_rows_required_and_bounded",
       kUp + kAgent + "    budgets:\n      - tables: [public.t]\n"
                      "      - max_rows: 9223372036854775808\n"
                      "state: {path: s.db}\n",
       {"t.yaml:6: agents.bot.budgets[0].max_rows: required key is missing",
        "t.yaml:7: agents.bot.budgets[1].max_rows: is too large"}, {}},
      {"budget_names", kUp + kAgent + "    budgets:\n"
                                    "      - {name: writes, max_rows: 5}\n"
                                    "      - {name: writes, max_rows: 6}\n"
                                    "      - {name: 'a b', max_rows: 7}\n"
                                    "      - {name: 'budgets[0]', max_rows: 8}\n"
                                    "state: {path: s.db}\n",
       {"t.yaml:7: agents.bot.budgets[1]: budget name 'writes' is used twice",
        "t.yaml:8: agents.bot.budgets[2].name: budget names may contain only",
        "t.yaml:9: agents.bot.budgets[3].name: budget names may contain only"}, {}},
      // holds and budgets live in the state store: without state.path the gateway cannot run
      {"hold_needs_state", kUp + kAgent + "    hold:\n      - tables: [public.t]\n",
       {"t.yaml:6: agents.bot.hold[0]: needs state.path: holds and budgets are kept in the "
        "state store"}, {}},
      {"over_limit_hold_needs_state",
       kRulesHead + "      - tables: [public.t]\n        actions: [select]\n"
                    "      - tables: [public.t]\n        max_rows: 5\n        over_limit: hold\n",
       {"t.yaml:8: agents.bot.allow[1]: needs state.path"}, {}},
      {"budget_needs_state", kUp + kAgent + "    budgets:\n      - max_rows: 10\n",
       {"t.yaml:6: agents.bot.budgets[0]: needs state.path"}, {}},
      {"each_agent_needing_state_is_named",
       kUp + kAgent + "    hold:\n      - tables: [public.t]\n"
                      "  bot2:\n    password_env: CFG_TEST_BOT_PASSWORD\n"
                      "    budgets: [{max_rows: 1}]\n",
       {"t.yaml:6: agents.bot.hold[0]: needs state.path",
        "t.yaml:9: agents.bot2.budgets[0]: needs state.path"}, {}},
      // --- several errors in one pass, reported in file order
      {"many_errors_at_once",
       "listen: {host: 0.0.0.0, port: 0}\n"
       "log: {level: loud}\n"
       "upstream: {database: app}\n"
       "agents:\n"
       "  bot:\n"
       "    password_env: CFG_TEST_UNSET\n"
       "    allow:\n"
       "      - tables: [public.t]\n"
       "        actions: [selct]\n",
       {"t.yaml:1: listen.port: expected an integer between 1 and 65535, got '0'",
        "t.yaml:2: log.level: expected one of",
        "t.yaml:3: upstream.user: required key is missing",
        "t.yaml:6: agents.bot.password_env: environment variable CFG_TEST_UNSET is not set",
        "t.yaml:9: agents.bot.allow[0].actions[0]: expected one of"}, {}},
      // --- admin listener (lines 5+: after kUp and kAgent)
      {"admin_listen_missing", kUp + kAgent + "admin: {}\n",
       {"t.yaml:5: admin.listen: required key is missing"}, {}},
      {"admin_listen_port_zero", kUp + kAgent + "admin: {listen: \"127.0.0.1:0\"}\n",
       {"t.yaml:5: admin.listen: port must be an integer between 1 and 65535, got '0'"}, {}},
      {"admin_token_env_unset",
       kUp + kAgent + "admin:\n  listen: 127.0.0.1:9187\n  token_env: CFG_TEST_UNSET\n",
       {"t.yaml:7: admin.token_env: environment variable CFG_TEST_UNSET is not set"}, {}},
      {"admin_token_too_short",
       kUp + kAgent + "admin: {listen: 127.0.0.1:9187, token_env: CFG_TEST_BOT_PASSWORD}\n",
       {"t.yaml:5: admin.token_env: the token in CFG_TEST_BOT_PASSWORD is shorter than 16 "
        "characters"},
       {"bot-secret"}},
      {"admin_key_typo", kUp + kAgent + "admin: {listen: 127.0.0.1:9187, token: x}\n",
       {"t.yaml:5: admin.token: unknown key"}, {}},
      // --- traffic control: an agent's limits and breaker (line 5: after kUp and kAgent)
      {"limits_rate_not_a_number", kUp + kAgent + "    limits: {rate: fast}\n",
       {"t.yaml:5: agents.bot.limits.rate: expected statements per second, a number from "
        "0.001 to 1000000 (or 0 for no limit), got 'fast'"}, {}},
      {"limits_rate_negative", kUp + kAgent + "    limits: {rate: -5}\n",
       {"t.yaml:5: agents.bot.limits.rate: expected statements per second"}, {}},
      {"limits_rate_too_small", kUp + kAgent + "    limits: {rate: 0.0001}\n",
       {"t.yaml:5: agents.bot.limits.rate: expected statements per second"}, {}},
      {"limits_burst_without_rate", kUp + kAgent + "    limits:\n      burst: 10\n",
       {"t.yaml:6: agents.bot.limits.burst: needs rate"}, {}},
      {"limits_burst_zero", kUp + kAgent + "    limits: {rate: 5, burst: 0}\n",
       {"t.yaml:5: agents.bot.limits.burst: expected an integer between 1 and 1000000, got '0'"},
       {}},
      {"limits_max_delay_not_a_duration", kUp + kAgent + "    limits: {rate: 5, max_delay: soon}\n",
       {"t.yaml:5: agents.bot.limits.max_delay: expected a duration"}, {}},
      {"limits_max_connections_zero", kUp + kAgent + "    limits: {max_connections: 0}\n",
       {"t.yaml:5: agents.bot.limits.max_connections: expected an integer between 1 and "
        "1000000, got '0'"}, {}},
      {"limits_statement_timeout_not_a_duration",
       kUp + kAgent + "    limits: {statement_timeout: forever}\n",
       {"t.yaml:5: agents.bot.limits.statement_timeout: expected a duration"}, {}},
      {"limits_statement_timeout_over_postgres_limit",
       kUp + kAgent + "    limits: {statement_timeout: 30d}\n",
       {"t.yaml:5: agents.bot.limits.statement_timeout: must be at most 2147483647ms"}, {}},
      {"limits_key_typo", kUp + kAgent + "    limits: {rat: 5}\n",
       {"t.yaml:5: agents.bot.limits.rat: unknown key (did you mean 'rate'?)"}, {}},
      {"limits_not_a_mapping", kUp + kAgent + "    limits: 50\n",
       {"t.yaml:5: agents.bot.limits: expected a mapping"}, {}},
      {"breaker_failures_too_many", kUp + kAgent + "    breaker: {failures: 1000}\n",
       {"t.yaml:5: agents.bot.breaker.failures: expected an integer between 0 and 100, got "
        "'1000'"}, {}},
      {"breaker_window_zero", kUp + kAgent + "    breaker:\n      window: 0\n",
       {"t.yaml:6: agents.bot.breaker.window: must be greater than 0"}, {}},
      {"breaker_cooldowns_zero",
       kUp + kAgent + "    breaker:\n      cooldown: 0\n      pause_cooldown: 0s\n",
       {"t.yaml:6: agents.bot.breaker.cooldown: must be greater than 0",
        "t.yaml:7: agents.bot.breaker.pause_cooldown: must be greater than 0"}, {}},
      {"breaker_error_rate_one", kUp + kAgent + "    breaker: {pause_error_rate: 1}\n",
       {"t.yaml:5: agents.bot.breaker.pause_error_rate: expected a share of statements below "
        "1, such as 0.5 or 50% (0 = off), got '1'"}, {}},
      {"breaker_error_rate_percent_over",
       kUp + kAgent + "    breaker: {pause_error_rate: 150%}\n",
       {"t.yaml:5: agents.bot.breaker.pause_error_rate: expected a share of statements"}, {}},
      {"breaker_pause_min_statements_zero",
       kUp + kAgent + "    breaker: {pause_min_statements: 0}\n",
       {"t.yaml:5: agents.bot.breaker.pause_min_statements: expected an integer between 1 and "
        "1000000, got '0'"}, {}},
      {"breaker_on_is_not_a_mapping", kUp + kAgent + "    breaker: on\n",
       {"t.yaml:5: agents.bot.breaker: expected a mapping or off, got 'on'"}, {}},
      {"breaker_key_typo", kUp + kAgent + "    breaker: {cooldwn: 5s}\n",
       {"t.yaml:5: agents.bot.breaker.cooldwn: unknown key (did you mean 'cooldown'?)"}, {}},
      // --- YAML syntax errors keep their line
      {"yaml_unclosed_flow", kUp + "agents: {bot: {password_env: X}\nlog: {level: info}\n",
       {"t.yaml:3: YAML syntax error:"}, {}},
      {"yaml_bad_indentation", "upstream:\n  database: app\n user: airlock\n" + kAgent,
       {"t.yaml:3: YAML syntax error:"}, {}},
  };
  return all;
}

class ConfigErrorCase : public testing::TestWithParam<ErrorCase> {
 protected:
  static void SetUpTestSuite() {
    ::setenv("CFG_TEST_BOT_PASSWORD", "bot-secret", 1);
    ::setenv("CFG_TEST_EMPTY", "", 1);
    ::unsetenv("CFG_TEST_UNSET");
  }
};

TEST_P(ConfigErrorCase, ReportsExactlyTheExpectedErrors) {
  const ErrorCase& c = GetParam();
  LoadResult result = load_config_from_string(c.yaml, "t.yaml");
  std::string all;
  for (const auto& e : result.errors) all += "  " + e.to_string() + "\n";
  EXPECT_EQ(result.config, nullptr);
  ASSERT_EQ(result.errors.size(), c.expected.size()) << "errors:\n" << all;
  for (std::size_t i = 0; i < c.expected.size(); ++i) {
    EXPECT_NE(result.errors[i].to_string().find(c.expected[i]), std::string::npos)
        << "error " << i << " should contain: " << c.expected[i] << "\nerrors:\n" << all;
  }
  for (const auto& secret : c.forbidden) {
    EXPECT_EQ(all.find(secret), std::string::npos) << "leaked '" << secret << "':\n" << all;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ConfigErrorCase, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<ErrorCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace airlock::config
