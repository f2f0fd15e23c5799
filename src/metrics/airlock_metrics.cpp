#include "metrics/airlock_metrics.hpp"

namespace airlock::metrics {

GatewayMetrics::GatewayMetrics(Registry& r)
    : connections_active(r.gauge("airlock_connections_active", "Agent connections open now.")),
      connections_total(
          r.counter("airlock_connections_total", "Agent connections accepted since start.")),
      statements_total(r.counter_family("airlock_statements_total",
                                        "Statements received, by agent and policy decision.",
                                        {"agent", "decision"})),
      denials_total(r.counter_family("airlock_denials_total",
                                     "Statements denied, by agent and rule.", {"agent", "rule"})),
      holds_pending(r.gauge("airlock_holds_pending", "Approval requests waiting for a human.")),
      guard_rollbacks_total(r.counter_family(
          "airlock_guard_rollbacks_total",
          "Guarded writes rolled back for exceeding a row limit or budget, by agent.", {"agent"})),
      upstream_errors_total(
          r.counter("airlock_upstream_errors_total",
                    "Failures talking to upstream PostgreSQL (connect, login, protocol, I/O).")),
      added_latency_seconds(
          r.histogram("airlock_added_latency_seconds",
                      "Time Airlock adds to a statement (parse, policy, audit), upstream excluded.",
                      latency_buckets())),
      upstream_latency_seconds(r.histogram("airlock_upstream_latency_seconds",
                                           "Time from forwarding a statement to upstream's answer.",
                                           latency_buckets())),
      audit_write_seconds(r.histogram("airlock_audit_write_seconds",
                                      "Time to make an audit record durable.", latency_buckets())),
      audit_write_failures_total(r.counter("airlock_audit_write_failures_total",
                                           "Audit records that could not be written.")),
      webhook_notifications_total(r.counter_family(
          "airlock_webhook_notifications_total",
          "Approval webhook deliveries, by outcome (sent, failed, dropped).", {"outcome"})) {}

}  // namespace airlock::metrics
