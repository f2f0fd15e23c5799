// Session: traffic control. Every Query and every Execute passes the agent's gate (pause,
// breaker, rate limit: traffic/agent_traffic.hpp) before it is forwarded; when its sync
// batch completes, the breaker learns whether it succeeded.
#include <spdlog/spdlog.h>

#include "proxy/session.hpp"

namespace airlock::proxy {

net::awaitable<std::optional<Verdict>> Session::admit(std::shared_ptr<const StatementInfo> info,
                                                      std::uint64_t batch, bool policy_denied) {
  if (!traffic_) co_return std::nullopt;
  if (!info) {  // every forwarded statement has one (policy_hook.cpp); never pass unkeyed
    co_return Verdict::deny(Error::make(sqlstate::kInternalError,
                                        "airlock: statement without a traffic key"), {});
  }
  const std::string& key = info->fingerprint;
  // A statement the policy denied meets the pause and the breaker only (no token, no
  // delay); its failure is recorded by the caller, so nothing is queued for ReadyForQuery.
  traffic::Gate gate = policy_denied ? traffic_->check(key, traffic::Clock::now())
                                     : traffic_->admit(key, traffic::Clock::now());
  if (!gate.admitted()) {
    spdlog::debug("agent={} {}", agent_, gate.error.message);
    if (gate.refusal != traffic::Refusal::RateLimit && refusal_delay_.count() > 0) {
      // Tarpit: a storm of refused retries is slowed down, not served at full speed.
      net::asio::steady_timer t(client_.executor(), refusal_delay_);
      co_await t.async_wait(net::nothrow);
    }
    co_return Verdict::deny(gate.error, {});
  }
  if (policy_denied) co_return std::nullopt;
  if (gate.delay.count() > 0) {
    net::asio::steady_timer t(client_.executor(), gate.delay);
    co_await t.async_wait(net::nothrow);
    if (closed_) {
      traffic_->abandon(key, gate);
      co_return Verdict::deny(gate.error, {});
    }
  }
  // The info (cached with the decision) carries the key: no copy per statement.
  admitted_.push_back(Admitted{batch, std::move(info), gate});
  co_return std::nullopt;
}

void Session::traffic_outcomes(std::uint64_t batch) {
  if (admitted_.empty()) return;
  const auto now = traffic::Clock::now();
  while (!admitted_.empty() && admitted_.front().batch <= batch) {
    const Admitted& a = admitted_.front();
    if (batch_sqlstate_.empty()) traffic_->record_success(a.info->fingerprint, now);
    else traffic_->record_failure(a.info->fingerprint, now, batch_error_);
    admitted_.pop_front();
  }
}

}  // namespace airlock::proxy
