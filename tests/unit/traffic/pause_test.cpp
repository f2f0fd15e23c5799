// The agent-wide pause: thresholds, the sliding window, the trial after the cooldown.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_time.hpp"
#include "traffic/pause.hpp"

namespace airlock::traffic {
namespace {

using test::at_ms;
using test::ms;
using State = Pause::State;

enum class Op { Ok, Fail, Check, Cancel };
enum class Want { Allowed, Trial, Refused, TrialRunning, Reopened };

struct Step {
  long long at;  // ms
  Op op;
  int times = 1;  // Ok / Fail: how many statements
  Want want = Want::Allowed;  // Check only
  long long retry_ms = -1;    // Check only; -1 = not checked
  int percent = -1;           // Check only; -1 = not checked
};

Step ok(long long at, int times = 1) { return {at, Op::Ok, times}; }
Step fail(long long at, int times = 1) { return {at, Op::Fail, times}; }
Step cancel(long long at) { return {at, Op::Cancel}; }
Step check(long long at, Want want, long long retry_ms = -1, int percent = -1) {
  return {at, Op::Check, 1, want, retry_ms, percent};
}

struct PauseCase {
  const char* name;
  std::vector<Step> steps;
  State final_state;
  double error_rate = 0.5;
};

// error_rate 0.5, min_statements 4, window 1000 ms (slots of 100 ms), cooldown 500 ms.
const std::vector<PauseCase>& cases() {
  static const std::vector<PauseCase> all = {
      {"fewer_than_min_statements_never_pause", {fail(0, 3), check(1, Want::Allowed)},
       State::Running},
      {"over_the_rate_pauses",
       {ok(0), fail(1, 3), check(10, Want::Refused, 491, 75)}, State::Paused},
      {"exactly_the_rate_does_not_pause", {ok(0, 2), fail(1, 2)}, State::Running},
      {"successes_dilute_the_rate", {ok(0, 10), fail(1, 9)}, State::Running},
      {"failures_leave_the_window",
       {fail(0, 3), ok(1500), fail(1500), check(1501, Want::Allowed)}, State::Running},
      {"failures_within_the_window_add_up",
       {fail(0, 2), fail(500, 2), check(501, Want::Refused, 499, 100)}, State::Paused},
      {"cooldown_over_lets_one_trial_through",
       {fail(0, 4), check(499, Want::Refused, 1), check(500, Want::Trial),
        check(501, Want::TrialRunning, 499)},
       State::Trial},
      {"trial_success_resumes_with_a_clean_window",
       {fail(0, 4), check(500, Want::Trial), ok(510), fail(511), check(512, Want::Allowed)},
       State::Running},
      {"trial_failure_pauses_again",
       {fail(0, 4), check(500, Want::Trial), fail(510), check(600, Want::Reopened, 410)},
       State::Paused},
      {"cancelled_trial_is_granted_again",
       {fail(0, 4), check(500, Want::Trial), cancel(501), check(501, Want::Trial)}, State::Trial},
      {"outcomes_while_paused_are_ignored",
       {fail(0, 4), ok(100, 50), fail(200, 50), check(500, Want::Trial)}, State::Trial},
      {"zero_rate_disables_the_pause", {fail(0, 100), check(1, Want::Allowed)}, State::Running,
       0.0},
  };
  return all;
}

class PauseCaseTest : public testing::TestWithParam<PauseCase> {};

TEST_P(PauseCaseTest, FollowsTheTimeline) {
  const PauseCase& c = GetParam();
  Pause pause(PauseSpec{c.error_rate, 4, ms(1000), ms(500)});
  for (std::size_t i = 0; i < c.steps.size(); ++i) {
    const Step& step = c.steps[i];
    std::string where = "step " + std::to_string(i) + " at " + std::to_string(step.at) + " ms";
    switch (step.op) {
      case Op::Ok:
      case Op::Fail:
        for (int n = 0; n < step.times; ++n) pause.record(at_ms(step.at), step.op == Op::Fail);
        break;
      case Op::Cancel:
        pause.cancel_trial();
        break;
      case Op::Check: {
        Pause::Check got = pause.check(at_ms(step.at));
        EXPECT_EQ(got.allowed, step.want == Want::Allowed || step.want == Want::Trial) << where;
        EXPECT_EQ(got.trial, step.want == Want::Trial) << where;
        EXPECT_EQ(got.trial_running, step.want == Want::TrialRunning) << where;
        EXPECT_EQ(got.reopened, step.want == Want::Reopened) << where;
        if (step.retry_ms >= 0) {
          EXPECT_EQ(got.retry_after, ms(step.retry_ms)) << where;
        }
        if (step.percent >= 0) {
          EXPECT_EQ(got.percent, static_cast<unsigned>(step.percent)) << where;
        }
        break;
      }
    }
  }
  EXPECT_EQ(pause.state(), c.final_state);
}

INSTANTIATE_TEST_SUITE_P(Table, PauseCaseTest, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<PauseCase>& p) {
                           return std::string(p.param.name);
                         });

TEST(Pause, ChangedSpecResumes) {
  PauseSpec spec{0.5, 4, ms(1000), ms(500)};
  Pause pause(spec);
  for (int i = 0; i < 4; ++i) pause.record(at_ms(0), true);
  pause.configure(spec);
  EXPECT_EQ(pause.state(), State::Paused);
  spec.min_statements = 10;
  pause.configure(spec);
  EXPECT_EQ(pause.state(), State::Running);
  EXPECT_TRUE(pause.check(at_ms(1)).allowed);
}

}  // namespace
}  // namespace airlock::traffic
