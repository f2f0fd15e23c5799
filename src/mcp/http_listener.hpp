#pragma once
// The MCP server's HTTP side (Streamable HTTP, POST /mcp): a listener on the gateway's own
// I/O threads (a proxy::Front), optional TLS, Origin and Host checks against DNS rebinding,
// the bearer secret, bounded requests. A request is served on one I/O thread from its first
// byte to its answer, and the in-process sessions its tools use live on that same thread.
// Beast stays inside http_listener.cpp.
#include <memory>
#include <string>

#include "config/config.hpp"
#include "proxy/server.hpp"

namespace airlock::mcp {

class McpListener final : public proxy::Front {
 public:
  // `version`: serverInfo.version.
  explicit McpListener(std::string version);
  ~McpListener() override;

  Status start(proxy::Server& server) override;
  void stop() override;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace airlock::mcp
