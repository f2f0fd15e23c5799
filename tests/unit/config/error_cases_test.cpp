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
                                           "        actions: [upsert]\n",
       {"t.yaml:7: agents.bot.hold[0].actions[0]: expected one of select"}, {}},
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
