#include "app/admin.hpp"

#include <spdlog/spdlog.h>

#include "app/approval_webhook.hpp"
#include "http/admin_server.hpp"
#include "http/webhook.hpp"

namespace airlock::app {
namespace {

class Running final : public Admin {
 public:
  std::unique_ptr<http::AdminServer> server;
  std::shared_ptr<http::WebhookNotifier> webhook;
  void stop() override {
    if (server) server->stop();
    if (webhook) webhook->stop();
  }
  ~Running() override { stop(); }
};

}  // namespace

Result<std::unique_ptr<Admin>> start_admin(const config::Config& cfg, proxy::Server& server) {
  auto out = std::make_unique<Running>();
  proxy::Services& services = server.services();
  auto& m = services.metrics;

  if (!cfg.approvals.webhook.url.empty()) {
    http::WebhookOptions o = webhook_options(cfg.approvals.webhook);
    o.sent_counter = &m.webhook_notifications_total.labels({"sent"});
    o.failed_counter = &m.webhook_notifications_total.labels({"failed"});
    o.dropped_counter = &m.webhook_notifications_total.labels({"dropped"});
    auto n = http::WebhookNotifier::create(std::move(o));
    if (!n) return std::unexpected(n.error());
    out->webhook = std::shared_ptr<http::WebhookNotifier>(std::move(*n));
    std::weak_ptr<http::WebhookNotifier> weak = out->webhook;
    services.notify_hold = [weak](const state::Approval& a) {
      if (auto w = weak.lock()) w->notify(requested_event(a));
    };
  }

  if (cfg.admin.listen) {
    http::AdminOptions o;
    o.host = cfg.admin.listen->host;
    o.port = cfg.admin.listen->port;
    o.routes.token = cfg.admin.token;
    o.routes.metrics = &services.registry;
    o.routes.store = services.store.get();
    o.routes.readiness = [&server] { return server.ready(); };
    o.readiness_current = [&server] { return server.readiness_current(); };
    out->server = std::make_unique<http::AdminServer>(std::move(o));
    if (auto st = out->server->start(); !st) return std::unexpected(st.error());
    spdlog::info("admin listener on {}:{} (/healthz /readyz /metrics{})", cfg.admin.listen->host,
                 out->server->port(), cfg.admin.token.empty() ? "" : " /v1/approvals");
  }
  return std::unique_ptr<Admin>(std::move(out));
}

}  // namespace airlock::app
