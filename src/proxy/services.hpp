#pragma once
// What every session shares: the current config snapshot, TLS contexts, the cancel
// registry and process-wide counters. Owned by the Server; outlives all sessions.
#include <atomic>
#include <functional>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "proxy/cancel_registry.hpp"
#include "proxy/token_leases.hpp"
#include "proxy/upstream_health.hpp"
#include "audit/writer.hpp"
#include "metrics/airlock_metrics.hpp"
#include "sql/catalog.hpp"
#include "state/store.hpp"
#include "traffic/registry.hpp"

namespace airlock::proxy {

struct Snapshot {
  std::uint64_t generation = 0;  // set by Services::publish; keys the decision cache
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<boost::asio::ssl::context> client_tls;    // null: no TLS for clients
  std::shared_ptr<boost::asio::ssl::context> upstream_tls;  // null: sslmode disable
  // The upstream database's catalog as last read (catalog_loader.hpp); null until the first
  // successful read, and analysis then knows only the built-in pg_catalog.
  std::shared_ptr<const sql::Catalog> catalog;
};

struct Counters {
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::int64_t> connections_active{0};
  std::atomic<std::uint64_t> auth_failures{0};
  std::atomic<std::uint64_t> upstream_errors{0};
  std::atomic<std::uint64_t> protocol_errors{0};
  std::atomic<std::uint64_t> guard_rollbacks{0};
  std::atomic<std::int64_t> holds_pending{0};
};

class Services {
 public:
  std::shared_ptr<const Snapshot> snapshot() const { return snapshot_.load(std::memory_order_acquire); }
  void publish(std::shared_ptr<Snapshot> s) {
    s->generation = generations_.fetch_add(1, std::memory_order_relaxed) + 1;
    snapshot_.store(std::move(s), std::memory_order_release);
  }

  CancelRegistry cancels;
  Counters counters;
  std::string process_secret;  // random, per process: keys mock SCRAM verifiers
  std::atomic<bool> draining{false};
  std::atomic<bool> upstream_ok{false};  // the last catalog read reached upstream
  UpstreamHealth upstream_health;        // /readyz: probes and failed session logins
  // Approvals and budgets (null when the config has no state.path; the loader then refuses
  // holds and budgets). Opened once by the Server; reloads keep it.
  std::shared_ptr<state::Store> store;
  // The audit trail (null when audit.dir is not set). Opened once by the Server.
  std::unique_ptr<audit::Writer> audit;
  // Just-in-time tokens of live sessions, swept by the Server (token_leases.hpp).
  TokenLeases tokens;
  // Per agent: rate limit, breaker, pause, connection cap (reconfigured on reload).
  traffic::Registry traffic;
  // Prometheus metrics, scraped by the admin listener.
  metrics::Registry registry;
  metrics::GatewayMetrics metrics{registry};
  // Tells approvers about a new request (the webhook); may be empty.
  std::function<void(const state::Approval&)> notify_hold;

 private:
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::atomic<std::uint64_t> generations_{0};
};

}  // namespace airlock::proxy
