// RecvBuffer: scripted scenarios checked step by step against a plain std::string model,
// so compaction and growth can never lose, duplicate or reorder bytes.
#include "core/buffer.hpp"

#include <gtest/gtest.h>

#include <ostream>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

namespace airlock {
namespace {

enum class Op { Write, Consume, Shrink, PrepareOnly };

struct Step {
  Op op;
  std::size_t n = 0;
  std::size_t size = 0;      // expected size() after the step
  std::size_t capacity = 0;  // expected capacity() after the step
};

struct Scenario {
  const char* name;
  std::size_t initial;
  std::vector<Step> steps;
};
void PrintTo(const Scenario& c, std::ostream* os) { *os << c.name; }

Step write(std::size_t n, std::size_t size, std::size_t cap) { return {Op::Write, n, size, cap}; }
Step consume(std::size_t n, std::size_t size, std::size_t cap) {
  return {Op::Consume, n, size, cap};
}
Step shrink(std::size_t size, std::size_t cap) { return {Op::Shrink, 0, size, cap}; }
Step prepare_only(std::size_t n, std::size_t size, std::size_t cap) {
  return {Op::PrepareOnly, n, size, cap};
}

class RecvBufferScenario : public ::testing::TestWithParam<Scenario> {};

TEST_P(RecvBufferScenario, MatchesModel) {
  const Scenario& s = GetParam();
  RecvBuffer buf(s.initial);
  std::string model;
  unsigned char next = 0;
  EXPECT_TRUE(buf.empty());
  EXPECT_EQ(buf.capacity(), 0u) << "nothing is allocated before the first prepare()";
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    const Step& st = s.steps[i];
    switch (st.op) {
      case Op::Write: {
        auto span = buf.prepare(st.n);
        ASSERT_GE(span.size(), st.n) << "step " << i;
        for (std::size_t k = 0; k < st.n; ++k) {
          span[k] = static_cast<char>(next);
          model.push_back(static_cast<char>(next));
          ++next;
        }
        buf.commit(st.n);
        break;
      }
      case Op::PrepareOnly: {
        auto span = buf.prepare(st.n);
        ASSERT_GE(span.size(), st.n) << "step " << i;
        break;
      }
      case Op::Consume:
        buf.consume(st.n);
        model.erase(0, st.n);
        break;
      case Op::Shrink:
        buf.shrink_if_idle();
        break;
    }
    ASSERT_EQ(buf.size(), st.size) << "step " << i;
    ASSERT_EQ(buf.capacity(), st.capacity) << "step " << i;
    ASSERT_EQ(buf.empty(), st.size == 0) << "step " << i;
    ASSERT_EQ(buf.data(), model) << "step " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Scenarios, RecvBufferScenario,
    ::testing::Values(
        Scenario{"first_prepare_allocates_initial", 16, {write(4, 4, 16)}},
        Scenario{"first_prepare_zero_allocates_initial", 16, {prepare_only(0, 0, 16)}},
        Scenario{"first_prepare_above_initial_allocates_exactly", 16, {write(40, 40, 40)}},
        Scenario{"fills_to_capacity_without_growing", 16, {write(10, 10, 16), write(6, 16, 16)}},
        Scenario{"compaction_reuses_consumed_front",
                 16,
                 {write(12, 12, 16), consume(10, 2, 16), write(10, 12, 16)}},
        Scenario{"compaction_keeps_partial_message_in_order",
                 16,
                 {write(15, 15, 16), consume(7, 8, 16), write(8, 16, 16), consume(3, 13, 16)}},
        Scenario{"growth_doubles", 16, {write(12, 12, 16), write(10, 22, 32)}},
        Scenario{"growth_doubles_until_it_fits", 16, {write(10, 10, 16), write(100, 110, 128)}},
        Scenario{"growth_when_compaction_is_not_enough",
                 16,
                 {write(16, 16, 16), consume(4, 12, 16), write(8, 20, 32)}},
        Scenario{"growth_preserves_unconsumed_tail",
                 16,
                 {write(16, 16, 16), consume(15, 1, 16), write(40, 41, 64), consume(41, 0, 64)}},
        Scenario{"consume_all_rewinds_to_start",
                 16,
                 {write(10, 10, 16), consume(10, 0, 16), write(16, 16, 16)}},
        Scenario{"consume_in_pieces", 16,
                 {write(9, 9, 16), consume(1, 8, 16), consume(3, 5, 16), consume(5, 0, 16)}},
        Scenario{"consume_zero_is_noop", 16, {write(5, 5, 16), consume(0, 5, 16)}},
        Scenario{"prepare_without_commit_keeps_contents",
                 16,
                 {write(5, 5, 16), prepare_only(100, 5, 128), write(1, 6, 128)}},
        Scenario{"shrink_if_idle_releases_grown_memory",
                 16,
                 {write(100, 100, 100), consume(100, 0, 100), shrink(0, 0), write(4, 4, 16)}},
        Scenario{"shrink_if_idle_keeps_nonempty_buffer",
                 16,
                 {write(100, 100, 100), consume(50, 50, 100), shrink(50, 100)}},
        Scenario{"shrink_if_idle_keeps_initial_allocation",
                 16,
                 {write(8, 8, 16), consume(8, 0, 16), shrink(0, 16)}},
        Scenario{"shrink_if_idle_before_any_prepare", 16, {shrink(0, 0), write(1, 1, 16)}},
        Scenario{"regrow_after_shrink",
                 8,
                 {write(64, 64, 64), consume(64, 0, 64), shrink(0, 0), write(9, 9, 9),
                  write(9, 18, 18)}}),
    [](const ::testing::TestParamInfo<Scenario>& p) { return std::string(p.param.name); });

TEST(RecvBuffer, PrepareReturnsSpaceRightAfterTheData) {
  RecvBuffer buf(32);
  auto a = buf.prepare(4);
  std::memcpy(a.data(), "abcd", 4);
  buf.commit(4);
  auto b = buf.prepare(4);
  EXPECT_EQ(b.data(), buf.data().data() + buf.size());
  EXPECT_EQ(b.size(), buf.capacity() - buf.size());
}

TEST(RecvBuffer, ViewsSurviveConsumeUntilNextPrepare) {
  RecvBuffer buf(32);
  auto a = buf.prepare(8);
  std::memcpy(a.data(), "msg1msg2", 8);
  buf.commit(8);
  const std::string_view first = buf.data().substr(0, 4);
  buf.consume(4);
  EXPECT_EQ(first, "msg1");  // the consumed bytes are not overwritten by consume()
  EXPECT_EQ(buf.data(), "msg2");
}

}  // namespace
}  // namespace airlock
