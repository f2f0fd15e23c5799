#pragma once
// Whether upstream PostgreSQL can be logged into, for /readyz. The verdict comes from a
// probe (a real connection and login with Airlock's own role, then Terminate) and is
// trusted for kMaxAge; a session whose upstream login fails records a failure at once, and
// only a successful probe clears it. Thread-safe: the admin thread asks, io threads record.
#include <chrono>
#include <mutex>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "net/asio.hpp"

namespace airlock::proxy {

struct Snapshot;

class UpstreamHealth {
 public:
  using Clock = std::chrono::steady_clock;
  // How long a verdict stands before /readyz asks for a new probe.
  static constexpr std::chrono::milliseconds kMaxAge{1000};
  // A probe's deadline (connect + login); the configured timeouts.connect when shorter.
  static constexpr std::chrono::milliseconds kProbeTimeout{1000};

  // (reachable, reason when not).
  std::pair<bool, std::string> verdict() const;
  // True when the verdict is at most kMaxAge old. Otherwise false, and when no probe is
  // out, the caller gets it: `*start_probe` is set and it must call probe_finished later.
  bool fresh(Clock::time_point now, bool* start_probe);
  void probe_finished(const Status& outcome, Clock::time_point now);
  // A session could not log in upstream: not ready until a probe succeeds.
  void login_failed(const Error& error, Clock::time_point now);

 private:
  static std::string describe(const Error& error);

  mutable std::mutex mu_;
  bool ok_ = false;
  std::string reason_ = "upstream not probed yet";
  Clock::time_point at_{};  // of the verdict; epoch: none yet
  bool probing_ = false;
};

// Connects and logs in as the config's upstream user, then says goodbye.
net::awaitable<Status> probe_upstream(const Snapshot& snap);

}  // namespace airlock::proxy
