// Session: traffic control. Every Query and every Execute passes the agent's gate (pause,
// breaker, rate limit: traffic/agent_traffic.hpp) before it is forwarded; when its sync
// batch completes, the breaker learns whether it succeeded.
#include <spdlog/spdlog.h>

#include "proxy/session.hpp"

namespace airlock::proxy {

net::awaitable<std::optional<Verdict>> Session::admit(const StatementInfo* info,
                                                      std::string_view sql,
                                                      std::uint64_t batch) {
  if (!traffic_) co_return std::nullopt;
  std::string key = info ? info->fingerprint : std::string(sql);
  traffic::Gate gate = traffic_->admit(key, traffic::Clock::now());
  if (!gate.admitted()) {
    spdlog::debug("agent={} {}", agent_, gate.error.message);
    if (gate.refusal != traffic::Refusal::RateLimit && refusal_delay_.count() > 0) {
      // Tarpit: a storm of refused retries is slowed down, not served at full speed.
      net::asio::steady_timer t(client_.executor(), refusal_delay_);
      co_await t.async_wait(net::nothrow);
    }
    co_return Verdict::deny(gate.error, {});
  }
  if (gate.delay.count() > 0) {
    net::asio::steady_timer t(client_.executor(), gate.delay);
    co_await t.async_wait(net::nothrow);
    if (closed_) {
      traffic_->abandon(key, gate);
      co_return Verdict::deny(gate.error, {});
    }
  }
  admitted_.push_back(Admitted{batch, std::move(key), gate});
  co_return std::nullopt;
}

void Session::traffic_outcomes(std::uint64_t batch) {
  if (admitted_.empty()) return;
  const auto now = traffic::Clock::now();
  while (!admitted_.empty() && admitted_.front().batch <= batch) {
    const Admitted& a = admitted_.front();
    if (batch_sqlstate_.empty()) traffic_->record_success(a.key, now);
    else traffic_->record_failure(a.key, now, batch_error_);
    admitted_.pop_front();
  }
}

}  // namespace airlock::proxy
