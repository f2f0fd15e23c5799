// Configurations that must load, and what they load into.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "auth/verifier.hpp"
#include "config/config.hpp"

namespace airlock::config {
namespace {

std::string data_file(const std::string& name) {
  return std::string(AIRLOCK_TEST_DATA_DIR) + "/" + name;
}

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += "  " + e.to_string() + "\n";
  return out;
}

class ConfigLoad : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("AIRLOCK_UPSTREAM_PASSWORD", "upstream-secret", 1);
    ::setenv("SUPPORT_BOT_PASSWORD", "support-secret", 1);
    ::setenv("CFG_TEST_BOT_PASSWORD", "bot-secret", 1);
  }
};

// The example of the issue, as written (an agent has one of password_env / scram_verifier).
const char* kIssueExample =
    "listen: 127.0.0.1:6432\n"
    "upstream: {host: 127.0.0.1, port: 5432, database: app, user: airlock, "
    "password_env: AIRLOCK_UPSTREAM_PASSWORD}\n"
    R"(agents:
  support-bot:
    password_env: SUPPORT_BOT_PASSWORD      # exactly one of password_env / scram_verifier
    mode: enforce                           # enforce|observe|shadow
    allow:
      - tables: [public.tickets, public.subscriptions]
        actions: [select]
      - tables: [public.customers]
        actions: [select]
        mask: [email, phone]
        deny_columns: [ssn]
      - tables: [public.tickets]
        actions: [update]
        columns: [status, assignee]
        max_rows: 50
        over_limit: deny                    # deny|hold
      - sequences: [public.ticket_comments_id_seq]
      - functions: [public.my_func]
    hold:
      - tables: [public.subscriptions]
        actions: [update]
        reason: subscription changes need a human
state: {path: airlock-state.db}         # holds are kept in the state store
)";

TEST_F(ConfigLoad, IssueExampleLoads) {
  LoadResult r = load_config_from_string(kIssueExample, "airlock.yaml");
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  ASSERT_NE(r.config, nullptr);
  const Config& c = *r.config;
  EXPECT_EQ(c.source_file, "airlock.yaml");
  EXPECT_EQ(c.listen.host, "127.0.0.1");
  EXPECT_EQ(c.listen.port, 6432);
  EXPECT_EQ(c.upstream.database, "app");
  EXPECT_EQ(c.upstream.user, "airlock");
  EXPECT_EQ(c.upstream.password, "upstream-secret");
  EXPECT_EQ(c.upstream.sslmode, UpstreamSslMode::Prefer);
  EXPECT_FALSE(c.tls.has_value());
  ASSERT_EQ(c.agents.size(), 1u);
  const Agent& a = c.agents.at("support-bot");
  EXPECT_EQ(a.name, "support-bot");
  EXPECT_EQ(a.mode, "enforce");
  ASSERT_EQ(a.allow.size(), 5u);
  EXPECT_EQ(a.allow[0].tables,
            (std::vector<std::string>{"public.tickets", "public.subscriptions"}));
  EXPECT_EQ(a.allow[0].line, 8);
  EXPECT_EQ(a.allow[1].mask, (std::vector<policy::MaskSpec>{"email", "phone"}));
  EXPECT_EQ(a.allow[1].deny_columns, (std::vector<std::string>{"ssn"}));
  EXPECT_EQ(a.allow[2].columns, (std::vector<std::string>{"status", "assignee"}));
  EXPECT_EQ(a.allow[2].max_rows, 50u);
  EXPECT_EQ(a.allow[2].over_limit, "deny");
  EXPECT_FALSE(a.allow[0].max_rows.has_value());
  EXPECT_EQ(a.allow[3].sequences, (std::vector<std::string>{"public.ticket_comments_id_seq"}));
  EXPECT_EQ(a.allow[4].functions, (std::vector<std::string>{"public.my_func"}));
  EXPECT_EQ(a.allow[4].line, 20);
  ASSERT_EQ(a.hold.size(), 1u);
  EXPECT_EQ(a.hold[0].reason, "subscription changes need a human");
  EXPECT_EQ(a.hold[0].line, 22);
  // The verifier is derived at load: random 16-byte salt, 4096 iterations.
  EXPECT_EQ(a.verifier.iterations, 4096);
  EXPECT_EQ(a.verifier.salt.size(), 16u);
  auth::ScramVerifier expected = auth::make_verifier("support-secret", a.verifier.salt, 4096);
  EXPECT_EQ(a.verifier.stored_key, expected.stored_key);
  EXPECT_EQ(a.verifier.server_key, expected.server_key);
}

TEST_F(ConfigLoad, DefaultsApply) {
  LoadResult r = load_config_from_string(
      "upstream: {database: app, user: a}\nagents: {bot: {password_env: CFG_TEST_BOT_PASSWORD}}\n",
      "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.listen.host, "127.0.0.1");
  EXPECT_EQ(c.listen.port, 6432);
  EXPECT_EQ(c.threads, 0);
  EXPECT_EQ(c.unix_socket_dir, "");
  EXPECT_EQ(c.upstream.host, "127.0.0.1");
  EXPECT_EQ(c.upstream.port, 5432);
  EXPECT_EQ(c.upstream.password, "");
  EXPECT_EQ(c.timeouts.connect, Millis(5000));
  EXPECT_EQ(c.timeouts.client_idle, Millis(0));
  EXPECT_EQ(c.limits.max_message_bytes, 64u * 1024 * 1024);
  EXPECT_EQ(c.limits.max_startup_bytes, 10000u);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.log_format, "text");
  EXPECT_TRUE(c.agents.at("bot").allow.empty());
}

TEST_F(ConfigLoad, EveryKeySet) {
  std::string verifier =
      auth::format_verifier(auth::make_verifier("pw", "0123456789abcdef", 4096));
  std::string yaml = R"(listen: {host: "::1", port: 7432}
unix_socket_dir: /tmp
threads: 4
tls: {cert: server.crt, key: server.key}
upstream:
  host: db.internal
  port: 5433
  database: app
  user: airlock
  password: literal-pw
  sslmode: verify-full
  sslrootcert: ca.crt
timeouts: {connect: 250ms, auth: 2s, write: 1m, client_idle: 1h, idle_in_transaction: 30s,
           shutdown_grace: 0}
limits: {max_message_bytes: 1MiB, max_startup_bytes: 8KiB, max_connections: 100}
startup_parameters: {allow: [search_path, My.Custom_Guc]}
log: {level: debug, format: json}
agents:
  reporting.bot-2:
    scram_verifier: ")" + verifier + R"("
    mode: shadow
    allow:
      - tables: ['"Sales"."Orders"', public."weird""name"]
        actions: [select, copy]
)";
  // Relative tls/sslrootcert paths resolve against the config file's folder.
  LoadResult r = load_config_from_string(yaml, data_file("inline.yaml"));
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.listen.host, "::1");
  EXPECT_EQ(c.listen.port, 7432);
  EXPECT_EQ(c.unix_socket_dir, "/tmp");
  EXPECT_EQ(c.threads, 4);
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_EQ(c.tls->cert_file, data_file("server.crt"));
  EXPECT_EQ(c.tls->key_file, data_file("server.key"));
  EXPECT_EQ(c.upstream.host, "db.internal");
  EXPECT_EQ(c.upstream.port, 5433);
  EXPECT_EQ(c.upstream.password, "literal-pw");
  EXPECT_EQ(c.upstream.sslmode, UpstreamSslMode::VerifyFull);
  EXPECT_EQ(c.upstream.sslrootcert, data_file("ca.crt"));
  EXPECT_EQ(c.timeouts.connect, Millis(250));
  EXPECT_EQ(c.timeouts.auth, Millis(2000));
  EXPECT_EQ(c.timeouts.write, Millis(60000));
  EXPECT_EQ(c.timeouts.client_idle, Millis(3600000));
  EXPECT_EQ(c.timeouts.idle_in_transaction, Millis(30000));
  EXPECT_EQ(c.timeouts.shutdown_grace, Millis(0));
  EXPECT_EQ(c.limits.max_message_bytes, 1024u * 1024);
  EXPECT_EQ(c.limits.max_startup_bytes, 8192u);
  EXPECT_EQ(c.limits.max_connections, 100u);
  EXPECT_EQ(c.extra_startup_parameters,
            (std::vector<std::string>{"search_path", "my.custom_guc"}));
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.log_format, "json");
  const Agent& a = c.agents.at("reporting.bot-2");
  EXPECT_EQ(a.mode, "shadow");
  EXPECT_EQ(a.verifier.salt, "0123456789abcdef");
  EXPECT_EQ(a.allow[0].tables,
            (std::vector<std::string>{"\"Sales\".\"Orders\"", "public.\"weird\"\"name\""}));
  EXPECT_EQ(a.allow[0].actions, (std::vector<std::string>{"select", "copy"}));
}

TEST_F(ConfigLoad, ListenAcceptsBracketedIpv6) {
  LoadResult r = load_config_from_string(
      "listen: \"[::1]:6543\"\nupstream: {database: d, user: u}\n"
      "agents: {bot: {password_env: CFG_TEST_BOT_PASSWORD}}\n",
      "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_EQ(r.config->listen.host, "::1");
  EXPECT_EQ(r.config->listen.port, 6543);
}

TEST_F(ConfigLoad, EachAgentGetsItsOwnSalt) {
  LoadResult r = load_config_from_string(
      "upstream: {database: d, user: u}\nagents:\n"
      "  a: {password_env: CFG_TEST_BOT_PASSWORD}\n  b: {password_env: CFG_TEST_BOT_PASSWORD}\n",
      "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_NE(r.config->agents.at("a").verifier.salt, r.config->agents.at("b").verifier.salt);
}

TEST_F(ConfigLoad, TokenOnlyAgentsNeedNoPassword) {
  LoadResult r = load_config_from_string(
      "upstream: {database: d, user: u}\nagents:\n"
      "  a: {login: token_only}\n  b: {password_env: CFG_TEST_BOT_PASSWORD, login: password}\n",
      "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_TRUE(r.config->agents.at("a").token_only);
  EXPECT_FALSE(r.config->agents.at("b").token_only);
}

TEST_F(ConfigLoad, ExampleFileLoads) {
  LoadResult r = load_config(std::string(AIRLOCK_EXAMPLES_DIR) + "/airlock.yaml");
  ASSERT_TRUE(r.errors.empty()) << dump(r);
  EXPECT_FALSE(r.config->agents.empty());
}

TEST_F(ConfigLoad, MissingFileIsAnError) {
  LoadResult r = load_config(data_file("no-such-file.yaml"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.config, nullptr);
  EXPECT_NE(r.errors[0].to_string().find("no-such-file.yaml: cannot open"), std::string::npos);
}

TEST(ConfigErrorText, Format) {
  EXPECT_EQ((ConfigError{"a.yaml", 12, "agents.bot.password_env", "msg"}).to_string(),
            "a.yaml:12: agents.bot.password_env: msg");
  EXPECT_EQ((ConfigError{"a.yaml", 0, "agents", "msg"}).to_string(), "a.yaml: agents: msg");
  EXPECT_EQ((ConfigError{"a.yaml", 3, "", "msg"}).to_string(), "a.yaml:3: msg");
}

}  // namespace
}  // namespace airlock::config
