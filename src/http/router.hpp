#pragma once
// What the admin listener answers, independent of the HTTP transport.
//   GET /healthz                  200 "ok": the process is up and serving HTTP
//   GET /readyz                   200 "ready" or 503 with the reason (readiness callback)
//   GET /metrics                  Prometheus text format 0.0.4
//   /v1/approvals...              approvals API (approvals_api.hpp), bearer token required
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "http/message.hpp"

namespace airlock::metrics {
class Registry;
}
namespace airlock::state {
class Store;
}

namespace airlock::http {

// (ready, reason). Called on the admin thread for every GET /readyz, so it must be quick:
// report a state the gateway keeps up to date, not probe upstream synchronously.
using ReadinessCheck = std::function<std::pair<bool, std::string>()>;

struct RouterOptions {
  std::string token;                     // "": approvals API answers 403
  ReadinessCheck readiness;              // none: always ready
  metrics::Registry* metrics = nullptr;  // none: /metrics answers 404
  state::Store* store = nullptr;         // none: approvals API answers 503
  std::function<std::int64_t()> now_ms;  // none: the system clock (ms since the epoch)
};

class Router {
 public:
  explicit Router(RouterOptions options);
  // Never throws: an exception from a callback or the store becomes a 500.
  Response handle(const Request& request) const noexcept;

 private:
  Response route(const Request& request) const;
  Response approvals(const Request& request, const Target& target) const;

  RouterOptions options_;
};

inline constexpr const char* kApprovalsDisabled = "approvals API disabled: set admin.token_env";

}  // namespace airlock::http
