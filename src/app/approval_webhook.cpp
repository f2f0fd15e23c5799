#include "app/approval_webhook.hpp"

#include <cstdlib>

#include "http/approval_json.hpp"

namespace airlock::app {

http::WebhookOptions webhook_options(const config::Webhook& webhook) {
  http::WebhookOptions o;
  o.url = webhook.url;
  o.secret = webhook.secret;
  o.timeout = webhook.timeout;
  return o;
}

std::string requested_event(const state::Approval& a) {
  return http::approval_event_json("approval_requested", a);
}

Status notify_requested_once(const config::Webhook& webhook, const state::Approval& a) {
  if (webhook.url.empty()) return {};
  http::WebhookOptions o = webhook_options(webhook);
  if (!webhook.secret_env.empty()) {
    const char* secret = std::getenv(webhook.secret_env.c_str());
    if (secret == nullptr || *secret == '\0') {
      return fail(sqlstate::kInvalidParameterValue,
                  "approvals.webhook.secret_env names " + webhook.secret_env +
                      ", which is not set here");
    }
    o.secret = secret;
  }
  auto notifier = http::WebhookNotifier::create(std::move(o));
  if (!notifier) return std::unexpected(notifier.error());
  http::WebhookNotifier& n = **notifier;
  n.notify(requested_event(a));
  const bool attempted = n.drain(webhook.timeout + std::chrono::seconds(1));
  n.stop();
  if (!attempted || n.sent() != 1) {
    return fail(sqlstate::kConnectionFailure, "the approvals webhook was not delivered");
  }
  return {};
}

}  // namespace airlock::app
