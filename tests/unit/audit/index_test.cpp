#include "audit/index.hpp"

#include <gtest/gtest.h>

#include "audit/files.hpp"
#include "trail_fixture.hpp"

namespace airlock::audit {
namespace {

using namespace testing_support;

class AuditIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    make_trail(tmp_.sub("trail"), 100, 4096);
    auto idx = Index::open(tmp_.sub("index.db"));
    ASSERT_TRUE(idx.has_value()) << idx.error().message;
    index_.emplace(std::move(*idx));
  }
  std::string dir() const { return tmp_.sub("trail"); }

  TempDir tmp_;
  std::optional<Index> index_;
};

TEST_F(AuditIndex, SyncIsIncremental) {
  auto first = sync_index(dir(), *index_);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->added, 100u);
  EXPECT_EQ(first->indexed_seq, 100u);
  auto again = sync_index(dir(), *index_);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->added, 0u);
  {
    WriterOptions o;
    o.dir = dir();
    o.max_file_bytes = 4096;
    auto w = Writer::open(o);
    ASSERT_TRUE(w.has_value());
    for (int i = 100; i < 130; ++i) {
      Record r = sample_record(i);
      ASSERT_TRUE((*w)->append(r));
    }
  }
  auto more = sync_index(dir(), *index_);
  ASSERT_TRUE(more.has_value());
  EXPECT_EQ(more->added, 30u);
  EXPECT_EQ(more->indexed_seq, 130u);
  EXPECT_EQ(index_->indexed_seq().value(), 130u);
}

TEST_F(AuditIndex, SearchFilters) {
  ASSERT_TRUE(sync_index(dir(), *index_).has_value());
  SearchFilter f;
  f.limit = 0;
  f.agent = "billing-agent";
  auto by_agent = index_->search(f);
  ASSERT_TRUE(by_agent.has_value());
  EXPECT_EQ(by_agent->size(), 33u);  // i % 3 == 1 for i < 100
  for (const auto& h : *by_agent) EXPECT_EQ(h.agent, "billing-agent");
  EXPECT_TRUE(std::is_sorted(by_agent->begin(), by_agent->end(),
                             [](const Hit& a, const Hit& b) { return a.seq < b.seq; }));

  f = SearchFilter{};
  f.limit = 0;
  f.decision = "deny";
  f.table = "subscriptions";
  auto denied = index_->search(f);
  ASSERT_TRUE(denied.has_value());
  ASSERT_FALSE(denied->empty());
  for (const auto& h : *denied) {
    EXPECT_EQ(h.decision, "deny");
    EXPECT_EQ(h.tables, "public.subscriptions");
  }

  f = SearchFilter{};
  f.text = "/* 42 */";
  auto text = index_->search(f);
  ASSERT_TRUE(text.has_value());
  ASSERT_EQ(text->size(), 1u);
  EXPECT_EQ(text->front().seq, 43u);
  auto line = read_line(dir(), text->front());
  ASSERT_TRUE(line.has_value());
  EXPECT_NE(line->find("/* 42 */"), std::string::npos);
  EXPECT_EQ(parse(*line).value().seq, 43u);

  f = SearchFilter{};
  f.limit = 5;
  auto newest = index_->search(f);
  ASSERT_TRUE(newest.has_value());
  ASSERT_EQ(newest->size(), 5u);
  EXPECT_EQ(newest->front().seq, 96u);
  EXPECT_EQ(newest->back().seq, 100u);

  f = SearchFilter{};
  f.since_ms = newest->back().time_ms + 1;
  EXPECT_TRUE(index_->search(f).value().empty());
}

TEST_F(AuditIndex, TraceReturnsASessionInOrder) {
  ASSERT_TRUE(sync_index(dir(), *index_).has_value());
  auto t = index_->trace("s-3");
  ASSERT_TRUE(t.has_value());
  ASSERT_EQ(t->size(), 7u);  // i / 7 == 3
  for (std::size_t k = 0; k < t->size(); ++k) EXPECT_EQ((*t)[k].seq, 22 + k);
}

TEST_F(AuditIndex, ANewTrailInTheSamePlaceRebuildsTheIndex) {
  ASSERT_TRUE(sync_index(dir(), *index_).has_value());
  std::filesystem::remove_all(dir());
  make_trail(dir(), 10, 4096);
  auto s = sync_index(dir(), *index_);
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->rebuilt);
  EXPECT_EQ(s->added, 10u);
  EXPECT_EQ(index_->indexed_seq().value(), 10u);
}

}  // namespace
}  // namespace airlock::audit
