#pragma once
// The admin side of `airlock serve`: the HTTP listener (/healthz, /readyz, /metrics, the
// approvals API) and the approval webhook, wired to a running gateway.
#include <memory>

#include "config/config.hpp"
#include "core/error.hpp"
#include "proxy/server.hpp"

namespace airlock::app {

class Admin {
 public:
  virtual ~Admin() = default;
  virtual void stop() = 0;
};

// Starts what the config asks for (possibly nothing); errors (port in use, bad webhook URL)
// are values, reported before the gateway accepts a connection.
Result<std::unique_ptr<Admin>> start_admin(const config::Config& cfg, proxy::Server& server);

}  // namespace airlock::app
