#pragma once
// A PostgreSQL client on an in-process session (proxy::Server::open_local): the MCP tools'
// only way to the database. It logs in as the agent with the agent's own secret (SCRAM, as
// any driver), then runs one statement per call with the extended protocol: Parse of the
// unnamed statement (which PostgreSQL refuses for more than one command), Bind with text
// parameters, Describe, Execute, Sync. Whatever Airlock decides, it decides in the session
// on the other end of the socket.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/buffer.hpp"
#include "core/error.hpp"
#include "mcp/backend.hpp"
#include "net/stream.hpp"
#include "protocol/frame.hpp"
#include "proxy/local_front.hpp"

namespace airlock::mcp {

struct RunLimits {
  std::size_t max_rows = 500;          // rows kept; one more is asked for to see truncation
  std::size_t max_result_bytes = 1 << 20;
  bool limit_rows = true;              // false: Execute without a row count (writes)
};

class LocalClient {
 public:
  LocalClient(net::Stream stream, std::shared_ptr<proxy::LocalFront> front);
  LocalClient(const LocalClient&) = delete;
  LocalClient& operator=(const LocalClient&) = delete;

  // Startup and SCRAM as `agent` with `secret`, up to the first ReadyForQuery. A refused
  // login is 28P01, as PostgreSQL says it.
  net::awaitable<Status> login(const std::string& agent, const std::string& secret,
                               std::size_t max_message_bytes);

  // Runs one statement. An ErrorResponse (a denial included) is a ToolResult with is_error;
  // Result errors are transport failures (the session is then unusable).
  net::awaitable<Result<ToolResult>> run(const std::string& sql,
                                         const std::vector<std::optional<std::string>>& params,
                                         const RunLimits& limits);

  // Open, and idle outside a transaction block: safe to hand to the next call.
  bool reusable() const { return open_ && status_ == 'I' && !front_->ended; }
  proxy::LocalFront& front() { return *front_; }
  void close();

  std::uint64_t generation = 0;  // the config snapshot the session authenticated under

 private:
  net::awaitable<Result<protocol::Frame>> next(std::size_t max_message_bytes);
  net::awaitable<Status> send(const std::string& bytes);

  net::Stream stream_;
  std::shared_ptr<proxy::LocalFront> front_;
  RecvBuffer buf_;
  bool open_ = true;
  char status_ = 'I';  // the last ReadyForQuery's transaction status
  std::size_t max_message_bytes_ = 1 << 20;
};

// "int4", "text", ... for the built-in type OIDs a result usually has; "oid 12345" else.
std::string type_name(std::uint32_t oid);

}  // namespace airlock::mcp
