#pragma once
// Typed configuration of one Airlock process. Loaded from YAML by load_config();
// every field documented in docs/config.md. Values here are already validated:
// code that receives a Config never re-checks them.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/verifier.hpp"
#include "policy/agent_policy.hpp"
#include "policy/rule_spec.hpp"

namespace airlock::config {

using Millis = std::chrono::milliseconds;

struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6432;
};

struct TlsServer {
  std::string cert_file;  // PEM
  std::string key_file;   // PEM
};

enum class UpstreamSslMode { Disable, Prefer, Require, VerifyFull };

struct Upstream {
  std::string host = "127.0.0.1";
  std::uint16_t port = 5432;
  std::string database;
  std::string user;
  std::string password;  // resolved from password_env or password; may be empty (trust)
  UpstreamSslMode sslmode = UpstreamSslMode::Prefer;
  std::string sslrootcert;  // for verify-full
};

struct Timeouts {
  Millis connect{5'000};             // upstream TCP connect + startup + auth
  Millis auth{10'000};               // client startup + authentication
  Millis write{30'000};              // any single write to a peer
  Millis client_idle{0};             // 0 = disabled
  Millis idle_in_transaction{0};     // 0 = disabled
  Millis shutdown_grace{30'000};     // SIGTERM: time running statements get to finish
};

struct Limits {
  std::size_t max_message_bytes = 64u * 1024 * 1024;  // any single protocol message
  std::size_t max_startup_bytes = 10'000;             // StartupMessage (PostgreSQL's own cap)
  std::size_t max_connections = 10'000;               // client connections per process
};

// One entry of an agent's allow/hold list; its meaning belongs to the policy engine.
using RuleEntry = policy::RuleSpec;

// A write budget: real rows changed by an agent in a sliding window (issue #4).
struct Budget {
  std::string id;                   // "budgets[0]" unless named; keys the state store
  std::vector<std::string> tables;  // schema-qualified; empty = every table
  std::vector<std::string> actions; // insert | update | delete | merge; empty = all writes
  std::int64_t max_rows = 0;
  Millis window{3'600'000};
  std::string over_limit = "deny";  // deny | hold
  int line = 0;                     // where it was declared, for messages
};

// Traffic control of one agent (issue #6; docs/config.md, "Traffic control"). Enforced by
// the gateway through traffic::AgentTraffic; defaults below are the documented ones.
struct AgentLimits {
  double rate = 0;                   // statements per second; 0 = no rate limit
  std::uint32_t burst = 0;           // with a rate: as given, or ceil(rate); else 0
  Millis max_delay{250};             // an over-rate statement waits this long before refusal
  std::uint32_t max_connections = 0; // concurrent connections of the agent; 0 = no cap
  Millis statement_timeout{0};       // set upstream, not overridable by SET; 0 = off
};

struct BreakerSettings {
  std::uint32_t failures = 5;        // opens on failure failures+1 in window; 0 = no breaker
  Millis window{30'000};
  Millis cooldown{30'000};
  double pause_error_rate = 0;       // pauses the agent above this share of failures; 0 = off
  std::uint32_t pause_min_statements = 20;
  Millis pause_window{60'000};
  Millis pause_cooldown{30'000};
  // An open breaker (or a paused agent) answers after this delay: a retry loop then costs
  // a few attempts per second per connection instead of a busy core.
  Millis refusal_delay{100};
};

// require_intent (docs/access.md, "Justification"): which statements need a stated intent.
enum class RequireIntent : std::uint8_t { None, Writes, All };

struct Agent {
  std::string name;
  auth::ScramVerifier verifier;  // from password_env (derived at load) or scram_verifier
  // login: token_only: only just-in-time tokens log in (docs/access.md); the standing
  // password, if any, is refused like a wrong one.
  bool token_only = false;
  std::string mode = "enforce";  // enforce | observe | shadow
  RequireIntent require_intent = RequireIntent::None;
  std::vector<RuleEntry> allow;
  std::vector<RuleEntry> hold;
  std::vector<Budget> budgets;
  AgentLimits limits;        // traffic control (issue #6)
  BreakerSettings breaker;   // traffic control (issue #6)
  // allow and hold compiled once at load; shared by every session of the agent.
  std::shared_ptr<const policy::AgentPolicy> policy;
};

// The embedded state store (approvals, budgets, audit index). Empty path: none; then holds
// and budgets cannot be used (the loader says so).
struct State {
  std::string path;  // SQLite file, resolved against the config file's directory
};

struct Webhook {
  std::string url;  // http:// or https://; empty = no notification
  Millis timeout{5'000};
  std::string secret;  // from secret_env: sent as a bearer token; may be empty
  // The variable secret_env names ("" = none): loaded without secrets, a command that sends
  // a notification itself (airlock access request) reads it from its own environment.
  std::string secret_env;
};

struct Approvals {
  Millis hold_wait{60'000};       // how long an agent's statement waits for a decision
  Millis expire_after{3'600'000}; // a request not approved or used by then is expired
  Webhook webhook;
};

// The hash-chained audit trail (issue #5).
struct Audit {
  std::string dir;                    // empty = no audit trail
  std::string fsync = "interval";     // always | interval
  Millis fsync_interval{10};          // group commit period when fsync = interval
  std::size_t max_file_bytes = 64u * 1024 * 1024;  // rotate after this size
  bool keep_literals = false;         // default: literals redacted from statements
};

// The admin HTTP listener: /healthz, /readyz, /metrics, the approvals API.
struct Admin {
  std::optional<Endpoint> listen;  // none = no admin listener
  std::string token;               // from token_env; required for the approvals API
};

// Result masking (issue #6): the key of the `hash` mask style.
struct Masking {
  std::string key;  // from key_env; empty when not configured (then `hash` is refused)
};

// The MCP server (issue #12; docs/mcp.md): Streamable HTTP at /mcp on its own listener.
struct Mcp {
  std::optional<Endpoint> listen;  // none = no MCP server
  std::optional<TlsServer> tls;
  // Origins a browser-borne request may come from ("http://localhost:6274"); a request with
  // any other Origin header is refused with 403 (DNS rebinding). No Origin: allowed.
  std::vector<std::string> allowed_origins;
  std::size_t max_rows = 500;                     // rows a query or explain returns
  std::size_t max_result_bytes = 1024 * 1024;     // bytes of row values a result returns
  std::size_t max_request_bytes = 1024 * 1024;    // a request body; larger: 413
  Millis session_idle{60'000};  // an in-process session unused this long is closed
  // Failed bearer secrets one client address may send per 10 s before it is answered 429
  // without a try (each try costs a PBKDF2 per agent on an I/O thread).
  std::uint32_t auth_failures = 10;
};

struct Config {
  std::string source_file;
  Endpoint listen;
  std::string unix_socket_dir;  // empty = no unix socket
  int threads = 0;              // 0 = number of cores
  std::optional<TlsServer> tls;
  Upstream upstream;
  Timeouts timeouts;
  Limits limits;
  std::vector<std::string> extra_startup_parameters;  // allowed in addition to the built-in list
  std::string log_level = "info";
  std::string log_format = "text";  // text | json
  std::map<std::string, Agent, std::less<>> agents;
  State state;
  Approvals approvals;
  Audit audit;
  Admin admin;
  Masking masking;
  Mcp mcp;
};

// One problem found while loading, with its place: "airlock.yaml:12: agents.bot.password_env: ..."
struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  std::string key;  // dotted path
  std::string message;
  std::string to_string() const;
};

struct LoadResult {
  std::shared_ptr<const Config> config;  // null when errors is not empty
  std::vector<ConfigError> errors;
};

struct LoadOptions {
  // false for tools that only evaluate policy (airlock check, airlock policy test): *_env
  // variables are not read, agents need no credentials, verifiers stay empty.
  bool secrets = true;
};

// Reads and validates the file; collects every error rather than stopping at the first.
// Environment variables named by *_env keys are read here, once.
LoadResult load_config(const std::string& path, const LoadOptions& options = {});
LoadResult load_config_from_string(const std::string& yaml, const std::string& file_name,
                                   const LoadOptions& options = {});

}  // namespace airlock::config
