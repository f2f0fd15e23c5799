#pragma once
// The MCP tools over the gateway (backend.hpp): every statement a tool runs goes through an
// in-process client session (local_client.hpp), so analysis, policy, guards, holds, masks,
// traffic control and the audit trail are the wire protocol's own. Views that run nothing
// (list_tables, describe_table's markings, approval_status) read the agent's compiled policy
// and the state store; `check` asks the session's own decision point; request_access and
// access_status open and collect access requests (access/request.hpp, access/collect.hpp).
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mcp/backend.hpp"
#include "mcp/local_client.hpp"

namespace airlock::audit {
struct Record;
}
namespace airlock::proxy {
class Server;
}

namespace airlock::mcp {

class GatewayBackend final : public Backend {
 public:
  explicit GatewayBackend(proxy::Server& server);

  ToolSet tools_for(const Caller& caller) const override;
  net::awaitable<ToolResult> call(const Caller& caller, const ToolRequest& request) override;
  void refused(const Caller& caller, const std::string& tool, const std::string& request_id,
               const std::string& why) override;

  // Closes every pooled session of I/O thread `io` (on that thread): shutdown.
  void close_all(std::size_t io);
  // Closes the pooled sessions of I/O thread `io` (on that thread) that were idle longer
  // than mcp.session_idle, ended, or belong to an older config (a reload that narrowed a
  // policy must not be outlived by a pooled session). Called by acquire() and a timer.
  void sweep(std::size_t io);

  static constexpr std::size_t kMaxPooledPerKey = 8;  // idle sessions kept per agent+secret

 private:
  using Clock = std::chrono::steady_clock;
  struct Pooled {
    std::unique_ptr<LocalClient> client;
    Clock::time_point last_used;
    std::uint64_t generation;  // the config its session authenticated under
  };
  // Sessions per I/O thread, each touched only by its own thread. Key: agent, secret key
  // and whether the session is read-only.
  using Pool = std::multimap<std::string, Pooled>;

  net::awaitable<Result<std::unique_ptr<LocalClient>>> acquire(const Caller& caller, bool read_only);
  void release(const Caller& caller, bool read_only, std::unique_ptr<LocalClient> client);
  net::awaitable<ToolResult> run_sql(const Caller& caller, const ToolRequest& request,
                                     const std::string& sql, bool read_only, bool limit_rows,
                                     std::size_t max_rows = 0);  // 0: mcp.max_rows
  net::awaitable<ToolResult> check(const Caller& caller, const ToolRequest& request);
  net::awaitable<ToolResult> describe_table(const Caller& caller, const ToolRequest& request);
  ToolResult list_tables(const Caller& caller) const;
  ToolResult approval_status(const Caller& caller, const ToolRequest& request) const;
  // request_access and access_status (gateway_access.cpp): the state store, no statement.
  ToolResult request_access(const Caller& caller, const ToolRequest& request);
  ToolResult access_status(const Caller& caller, const ToolRequest& request);
  // The call record of a tool call (audit_call writes it as it is; the access tools add the
  // request id and, when refused, the decision).
  audit::Record call_record(const Caller& caller, const ToolRequest& request,
                            const std::string& session) const;
  void append_call(audit::Record record);  // Writer::append fills seq, time and hashes
  void audit_call(const Caller& caller, const ToolRequest& request, const std::string& session);

  proxy::Server& server_;
  std::vector<Pool> pools_;
};

}  // namespace airlock::mcp
