// airlock mcp stdio --server URL: the stdio transport of MCP for hosts that launch a
// subprocess (Claude Desktop, Cursor, ...), bridged to a running Airlock's /mcp endpoint
// (mcp/stdio_bridge.hpp, docs/mcp.md). The agent's secret comes from AIRLOCK_TOKEN, never
// from the command line (it would show in ps). stdout carries the protocol only: logging
// goes to stderr. Exit 0 when stdin ends, 2 on usage errors.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "app/commands.hpp"
#include "app/logging.hpp"
#include "core/duration.hpp"
#include "mcp/stdio_bridge.hpp"

namespace airlock::app {
namespace {

constexpr const char* kTokenVariable = "AIRLOCK_TOKEN";

struct StdioOptions {
  std::string server;
  std::string cacert;
  std::string timeout = "300s";
};

int run_stdio(const StdioOptions& o) {
  // Anything the modules log must not land in the protocol stream.
  setup_logging("warn", "text");
  const auto timeout = parse_duration(o.timeout);
  if (!timeout) {
    std::cerr << "airlock mcp stdio: --timeout: not a duration: " << o.timeout
              << " (e.g. 300s, 5m, 0 = no limit)\n";
    return kExitUsage;
  }
  const char* token = std::getenv(kTokenVariable);
  if (token == nullptr || *token == '\0') {
    std::cerr << "airlock mcp stdio: set " << kTokenVariable
              << " to the agent's password or token (the bearer for the MCP server); MCP hosts "
                 "pass it in the server entry's \"env\"\n";
    return kExitUsage;
  }
  std::ios::sync_with_stdio(false);
  std::cin.tie(nullptr);
  mcp::StdioBridgeOptions b;
  b.server_url = o.server;
  b.token = token;
  b.ca_file = o.cacert;
  b.timeout = timeout->count() == 0 ? std::chrono::hours(24 * 365) : *timeout;
  b.in = &std::cin;
  b.out = &std::cout;
  b.err = &std::cerr;
  b.user_agent = std::string("airlock/") + AIRLOCK_VERSION + " (mcp stdio)";
  return mcp::run_stdio_bridge(b);
}

}  // namespace

void register_mcp(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<StdioOptions>();
  auto* mcp = app.add_subcommand("mcp", "MCP front door: the stdio transport");
  mcp->require_subcommand(1);
  auto* stdio = mcp->add_subcommand(
      "stdio",
      "Bridge MCP over stdin/stdout to a running Airlock's /mcp endpoint; the bearer is read "
      "from AIRLOCK_TOKEN");
  stdio->add_option("--server", o->server, "The MCP endpoint, e.g. http://127.0.0.1:7070/mcp")
      ->required();
  stdio
      ->add_option("--cacert", o->cacert,
                   "https: PEM CA certificates to trust (default: the system's trust store)")
      ->check(CLI::ExistingFile);
  stdio->add_option("--timeout", o->timeout,
                    "Per request, until the whole answer (default 300s; 0 = no limit)");
  stdio->callback([o, &exit_code] { exit_code = run_stdio(*o); });
}

}  // namespace airlock::app
