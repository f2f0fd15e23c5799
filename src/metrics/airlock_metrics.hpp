#pragma once
// The gateway's metric set, registered once on a Registry. Sessions cache the labelled
// series they use (per agent: statements_total.labels({agent, "forward"}) etc.) so that the
// per-statement cost is one relaxed atomic add per metric.
//
// Label values come from the configuration (agent names, rule ids) and from a fixed set of
// words (decisions), so every family's cardinality is bounded by the config.
#include "metrics/registry.hpp"

namespace airlock::metrics {

struct GatewayMetrics {
  explicit GatewayMetrics(Registry& registry);

  // Agent connections.
  Gauge& connections_active;
  Counter& connections_total;
  // Statements by agent and decision ("forward", "deny", "hold", ...).
  Family<Counter>& statements_total;  // {agent, decision}
  Family<Counter>& denials_total;     // {agent, rule}
  Gauge& holds_pending;
  Family<Counter>& guard_rollbacks_total;  // {agent}
  Counter& upstream_errors_total;
  // Time Airlock adds to a statement (its own work, upstream excluded) and upstream's time.
  Histogram& added_latency_seconds;
  Histogram& upstream_latency_seconds;
  // The audit trail: time to make a record durable, and records that could not be written.
  Histogram& audit_write_seconds;
  Counter& audit_write_failures_total;
  // Approval webhook deliveries: outcome "sent", "failed" (error, timeout or non-2xx), or
  // "dropped" (queue full).
  Family<Counter>& webhook_notifications_total;  // {outcome}
};

}  // namespace airlock::metrics
