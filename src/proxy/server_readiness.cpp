// Server: what /readyz reports, and the upstream probe behind it (upstream_health.hpp).
#include <spdlog/spdlog.h>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "proxy/server.hpp"
#include "proxy/upstream_health.hpp"

namespace airlock::proxy {

std::pair<bool, std::string> Server::ready() const {
  if (services_.draining.load()) return {false, "shutting down"};
  if (auto [ok, reason] = services_.upstream_health.verdict(); !ok) return {false, reason};
  if (!services_.snapshot()->catalog) return {false, "upstream catalog not read yet"};
  if (services_.audit && !services_.audit->healthy()) {
    return {false, "audit trail not writable: " + services_.audit->failure()};
  }
  return {true, "ready"};
}

bool Server::readiness_current() {
  bool start = false;
  if (services_.upstream_health.fresh(UpstreamHealth::Clock::now(), &start)) return true;
  if (start) net::asio::co_spawn(threads_.at(0), probe_upstream_now(), net::asio::detached);
  return false;
}

net::awaitable<void> Server::probe_upstream_now() {
  auto snap = services_.snapshot();
  using namespace boost::asio::experimental::awaitable_operators;
  net::asio::steady_timer deadline(co_await net::asio::this_coro::executor,
                                   UpstreamHealth::kProbeTimeout * 2);
  auto outcome = co_await (probe_upstream(*snap) || deadline.async_wait(net::nothrow));
  Status st = outcome.index() == 0 ? std::move(std::get<0>(outcome))
                                   : fail(sqlstate::kCannotConnect, "timeout probing upstream");
  services_.upstream_health.probe_finished(st, UpstreamHealth::Clock::now());
  if (!st) {
    spdlog::debug("readiness probe failed: {} {}", st.error().message, st.error().detail);
  } else if (!services_.upstream_ok.load() && catalog_timer_) {
    catalog_timer_->cancel();  // upstream is back: read the catalog now, not at the next retry
  }
}

}  // namespace airlock::proxy
