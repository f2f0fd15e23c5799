// Server: the token sweep (token_leases.hpp). Four times a second, on its own thread: marks
// the leases of revoked tokens (each session's watchdog then ends it), reports the sessions
// open per token to the state store, and writes the token events no gateway has audited yet.
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "proxy/guard_text.hpp"
#include "proxy/server.hpp"

namespace airlock::proxy {
namespace {

constexpr auto kSweepPeriod = std::chrono::milliseconds(250);

audit::Record event_record(const state::TokenEvent& e) {
  audit::Record r;
  r.kind = audit::kind::kEvent;
  r.agent = e.agent;
  r.token = e.token;
  r.approval_id = e.request_id;  // the access request it answers, if any
  if (e.event == "issued") {
    r.reason = "token " + e.token + " issued" + (e.by.empty() ? "" : " by " + e.by) +
               (e.request_id.empty() ? "" : " for access request " + e.request_id);
  } else if (e.event == "revoked") {
    r.reason = "token " + e.token + " revoked" + (e.by.empty() ? "" : " by " + e.by);
  } else {
    r.reason = "token " + e.token + " expired";
  }
  return r;
}

}  // namespace

void Server::sweep_tokens(std::stop_token stop) {
  std::string last_error;
  std::mutex mu;
  std::condition_variable_any wake;
  // Also while draining: a token revoked during the shutdown grace still ends its sessions.
  while (!stop.stop_requested()) {
    auto swept = services_.tokens.sweep(*services_.store, now_ms());
    for (const auto& id : swept.revoked) {
      spdlog::info("token {} revoked: ending its sessions", id);
    }
    for (const auto& e : swept.events) {
      if (!services_.audit) continue;
      audit::Record r = event_record(e);
      if (auto st = services_.audit->append(r); !st) {
        services_.metrics.audit_write_failures_total.inc();
        spdlog::error("audit: token event {} {}: {}", e.token, e.event, st.error().message);
      }
    }
    if (!swept.error.empty() && swept.error != last_error) {
      spdlog::error("state store: token sweep failed (retrying): {}", swept.error);
    }
    last_error = swept.error;
    std::unique_lock lock(mu);
    wake.wait_for(lock, stop, kSweepPeriod, [] { return false; });
  }
}

}  // namespace airlock::proxy
