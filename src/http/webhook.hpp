#pragma once
// Notifies approvers of new holds (issue #4): POSTs a JSON body to a configured URL from a
// thread of its own, so that the session thread that holds a statement never waits on the
// network. One attempt per notification, one at a time, in order; failures are logged
// (warn) and counted, and the hold itself does not depend on them (approvers can always
// list pending requests with the CLI or the API).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.hpp"

namespace airlock::metrics {
class Counter;
}

namespace airlock::http {

struct WebhookOptions {
  std::string url;      // http://host[:port]/path or https://...
  std::string secret;   // when set, sent as "Authorization: Bearer <secret>"
  std::string ca_file;  // https: PEM CA certificates to trust; "" = the system's trust store
  // The whole delivery: connect, TLS handshake, request and response. A host name is
  // resolved first, bounded by the system resolver's own timeouts, not by this one.
  std::chrono::milliseconds timeout{5000};
  std::size_t max_queue = 1000;  // notifications waiting; more are dropped (and counted)
  // Optional counters (e.g. GatewayMetrics::webhook_notifications_total.labels({...})).
  metrics::Counter* sent_counter = nullptr;
  metrics::Counter* failed_counter = nullptr;
  metrics::Counter* dropped_counter = nullptr;
};

class WebhookNotifier {
 public:
  // Checks the URL (http:// or https://; https verifies the server's certificate and host
  // name) and the CA file, then starts the delivery thread.
  static Result<std::unique_ptr<WebhookNotifier>> create(WebhookOptions options);
  ~WebhookNotifier();  // stop()
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  // Queues one POST with this JSON body and returns at once; false when the queue is full
  // or the notifier is stopped (the notification is dropped and counted). Thread-safe.
  bool notify(std::string json_body);
  // Waits until every notification queued before the call was attempted (sent or failed),
  // at most `within`; true when they were. For a process that exits right after notifying
  // (airlock access request). Thread-safe.
  bool drain(std::chrono::milliseconds within);
  // Abandons the delivery in progress and what is still queued, and joins the thread.
  void stop();

  std::uint64_t sent() const noexcept;     // answered with a 2xx status
  std::uint64_t failed() const noexcept;   // error, timeout or another status
  std::uint64_t dropped() const noexcept;  // never attempted

 private:
  struct Impl;
  explicit WebhookNotifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlock::http
