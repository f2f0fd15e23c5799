// UpstreamHealth: /readyz's upstream verdict. One probe at a time, a verdict trusted for
// kMaxAge, and a failed session login is not ready at once until a probe succeeds.
#include "proxy/upstream_health.hpp"

#include <gtest/gtest.h>

namespace airlock::proxy {
namespace {

using Clock = UpstreamHealth::Clock;
const Clock::time_point kT0 = Clock::time_point{} + std::chrono::hours(1);
const Error kRefused = Error::make("08001", "could not connect to upstream h:5432: Connection refused");

TEST(UpstreamHealth, NotReadyBeforeTheFirstProbe) {
  UpstreamHealth h;
  EXPECT_FALSE(h.verdict().first);
  EXPECT_EQ(h.verdict().second, "upstream not probed yet");
}

TEST(UpstreamHealth, OneProbeAtATime) {
  UpstreamHealth h;
  bool start = false;
  EXPECT_FALSE(h.fresh(kT0, &start));
  EXPECT_TRUE(start);
  bool again = false;
  EXPECT_FALSE(h.fresh(kT0, &again));
  EXPECT_FALSE(again) << "a second caller must not start another probe";
  h.probe_finished(Status{}, kT0);
  EXPECT_TRUE(h.verdict().first);
  EXPECT_TRUE(h.fresh(kT0 + UpstreamHealth::kMaxAge, &again));
  EXPECT_FALSE(again);
}

TEST(UpstreamHealth, StaleVerdictAsksForAProbe) {
  UpstreamHealth h;
  bool start = false;
  h.fresh(kT0, &start);
  h.probe_finished(Status{}, kT0);
  start = false;
  EXPECT_FALSE(h.fresh(kT0 + UpstreamHealth::kMaxAge + std::chrono::milliseconds(1), &start));
  EXPECT_TRUE(start);
  EXPECT_TRUE(h.verdict().first) << "the old verdict stands until the probe reports";
}

TEST(UpstreamHealth, FailedProbeGivesTheReason) {
  UpstreamHealth h;
  bool start = false;
  h.fresh(kT0, &start);
  h.probe_finished(std::unexpected(Error::make("08001", "airlock: timeout connecting to upstream")), kT0);
  EXPECT_FALSE(h.verdict().first);
  EXPECT_EQ(h.verdict().second, "upstream not reachable: timeout connecting to upstream");
}

TEST(UpstreamHealth, FailedLoginIsNotReadyUntilAProbeSucceeds) {
  UpstreamHealth h;
  bool start = false;
  h.fresh(kT0, &start);
  h.probe_finished(Status{}, kT0);
  h.login_failed(kRefused, kT0 + std::chrono::milliseconds(100));
  EXPECT_FALSE(h.verdict().first);
  EXPECT_NE(h.verdict().second.find("Connection refused"), std::string::npos);
  // fresh for kMaxAge from the failure, then a probe decides
  EXPECT_TRUE(h.fresh(kT0 + std::chrono::milliseconds(600), &start));
  start = false;
  EXPECT_FALSE(h.fresh(kT0 + std::chrono::milliseconds(1200), &start));
  EXPECT_TRUE(start);
  EXPECT_FALSE(h.verdict().first);
  h.probe_finished(Status{}, kT0 + std::chrono::milliseconds(1210));
  EXPECT_TRUE(h.verdict().first);
}

}  // namespace
}  // namespace airlock::proxy
