#include "proxy/upstream_health.hpp"

#include <algorithm>

#include "protocol/frontend.hpp"
#include "proxy/services.hpp"
#include "proxy/upstream_login.hpp"

namespace airlock::proxy {

std::pair<bool, std::string> UpstreamHealth::verdict() const {
  std::lock_guard lock(mu_);
  return {ok_, reason_};
}

bool UpstreamHealth::fresh(Clock::time_point now, bool* start_probe) {
  std::lock_guard lock(mu_);
  if (at_ != Clock::time_point{} && now - at_ <= kMaxAge) return true;
  if (!probing_) {
    probing_ = true;
    *start_probe = true;
  }
  return false;
}

void UpstreamHealth::probe_finished(const Status& outcome, Clock::time_point now) {
  std::lock_guard lock(mu_);
  probing_ = false;
  at_ = now;
  ok_ = outcome.has_value();
  reason_ = ok_ ? std::string() : describe(outcome.error());
}

void UpstreamHealth::login_failed(const Error& error, Clock::time_point now) {
  std::lock_guard lock(mu_);
  at_ = now;
  ok_ = false;
  reason_ = describe(error);
}

std::string UpstreamHealth::describe(const Error& error) {
  std::string_view m = error.message;
  if (m.starts_with("airlock: ")) m.remove_prefix(9);
  return "upstream not reachable: " + std::string(m);
}

net::awaitable<Status> probe_upstream(const Snapshot& snap) {
  const auto& cfg = *snap.config;
  UpstreamLoginInput in;
  in.upstream = &cfg.upstream;
  in.settings = {{"application_name", "airlock readiness"},
                 {"client_encoding", "UTF8"},
                 {"default_transaction_read_only", "on"}};
  in.tls = snap.upstream_tls.get();
  in.timeout = std::min(cfg.timeouts.connect, UpstreamHealth::kProbeTimeout);
  in.max_message_bytes = cfg.limits.max_message_bytes;
  auto conn = co_await upstream_login(std::move(in));
  if (!conn) co_return std::unexpected(conn.error());
  std::string bye;
  protocol::append_terminate(bye);
  co_await conn->stream->write_all(net::asio::buffer(bye));
  conn->stream->close();
  co_return Status{};
}

}  // namespace airlock::proxy
