#include "http/router.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>

#include "http/approvals_api.hpp"
#include "http/bearer.hpp"
#include "metrics/registry.hpp"
#include "metrics/text_format.hpp"
#include "state/store.hpp"

namespace airlock::http {
namespace {

Response method_not_allowed(const char* allow) {
  Response r = Response::text(405, "method not allowed\n");
  r.headers.emplace_back("Allow", allow);
  return r;
}

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/');
}

}  // namespace

Router::Router(RouterOptions options) : options_(std::move(options)) {}

Response Router::handle(const Request& request) const noexcept {
  try {
    return route(request);
  } catch (const std::exception& e) {
    spdlog::error("admin: {} {}: {}", request.method, request.target, e.what());
    return Response::text(500, "internal error\n");
  } catch (...) {
    return Response::text(500, "internal error\n");
  }
}

Response Router::route(const Request& request) const {
  auto target = parse_target(request.target);
  if (!target) return Response::text(400, "malformed request target\n");
  const std::string& path = target->path;
  if (under(path, "/v1/approvals")) return approvals(request, *target);

  const bool get = request.method == "GET";
  if (path == "/healthz") {
    if (!get) return method_not_allowed("GET");
    return Response::text(200, "ok\n");
  }
  if (path == "/readyz") {
    if (!get) return method_not_allowed("GET");
    if (!options_.readiness) return Response::text(200, "ready\n");
    auto [ready, reason] = options_.readiness();
    if (ready) return Response::text(200, "ready\n");
    return Response::text(503, "not ready: " + reason + "\n");
  }
  if (path == "/metrics" && options_.metrics != nullptr) {
    if (!get) return method_not_allowed("GET");
    Response r = Response::text(200, options_.metrics->render());
    r.content_type = metrics::kContentType;
    return r;
  }
  return Response::text(404, "not found\n");
}

Response Router::approvals(const Request& request, const Target& target) const {
  if (options_.token.empty()) return Response::json_error(403, kApprovalsDisabled);
  if (!bearer_matches(request.authorization, options_.token)) {
    Response r = Response::json_error(401, "missing or wrong bearer token");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"airlock\"");
    return r;
  }
  if (options_.store == nullptr) {
    return Response::json_error(503, "approvals API unavailable: no state store configured");
  }
  std::int64_t now = options_.now_ms ? options_.now_ms()
                                     : std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count();
  return handle_approvals(request, target, *options_.store, now);
}

}  // namespace airlock::http
