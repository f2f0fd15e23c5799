// The index's intent column (docs/audit.md, "Search and trace"; docs/access.md): `audit
// search --intent WORD` finds the records whose stated intent holds WORD, whatever its case;
// an index file written before the column existed still opens and is filled again.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include "audit/index.hpp"
#include "audit/writer.hpp"
#include "trail_fixture.hpp"

namespace airlock::audit {
namespace {

using namespace testing_support;

// Records 1..6: 2 and 5 state "Refund for ticket 4411", 4 states "close ticket 7".
void write_trail(const std::string& dir) {
  WriterOptions o;
  o.dir = dir;
  auto w = Writer::open(o);
  ASSERT_TRUE(w.has_value()) << w.error().message;
  for (int i = 1; i <= 6; ++i) {
    Record r = sample_record(i);
    if (i == 2 || i == 5) r.intent = "Refund for ticket 4411";
    if (i == 4) r.intent = "close ticket 7";
    ASSERT_TRUE((*w)->append(r).has_value());
  }
}

std::vector<std::uint64_t> seqs(const Result<std::vector<Hit>>& hits) {
  std::vector<std::uint64_t> out;
  if (hits) {
    for (const auto& h : *hits) out.push_back(h.seq);
  }
  return out;
}

TEST(AuditIndexIntent, SearchFindsAWordOfTheIntentInAnyCase) {
  TempDir tmp;
  write_trail(tmp.sub("trail"));
  auto index = Index::open(tmp.sub("index.db"));
  ASSERT_TRUE(index.has_value()) << index.error().message;
  ASSERT_TRUE(sync_index(tmp.sub("trail"), *index).has_value());
  SearchFilter f;
  f.intent = "REFUND";
  auto hits = index->search(f);
  EXPECT_EQ(seqs(hits), (std::vector<std::uint64_t>{2, 5}));
  ASSERT_TRUE(hits && !hits->empty());
  EXPECT_EQ(hits->front().intent, "Refund for ticket 4411");
  f.intent = "ticket";
  EXPECT_EQ(seqs(index->search(f)), (std::vector<std::uint64_t>{2, 4, 5}));
  f.intent = "4412";
  EXPECT_TRUE(seqs(index->search(f)).empty());
  f.intent = "ticket";
  f.agent = "billing-agent";  // seq 4 (i % 3 == 1)
  EXPECT_EQ(seqs(index->search(f)), (std::vector<std::uint64_t>{4}));
}

// An index.db from before the intent column: the table of that layout, with a row.
TEST(AuditIndexIntent, AnIndexOfTheOlderLayoutIsRebuilt) {
  TempDir tmp;
  write_trail(tmp.sub("trail"));
  const std::string db_path = tmp.sub("index.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
    const char* old_layout =
        "CREATE TABLE audit_records (seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, "
        "kind TEXT NOT NULL, agent TEXT NOT NULL, session TEXT NOT NULL, decision TEXT NOT "
        "NULL, rule TEXT NOT NULL, tables TEXT NOT NULL, statement TEXT NOT NULL, file TEXT "
        "NOT NULL, line INTEGER NOT NULL, offset INTEGER NOT NULL);"
        "CREATE INDEX audit_records_time ON audit_records (time_ms);"
        "INSERT INTO audit_records VALUES (1, 0, 'intent', 'a', 's', 'allow', 'r', '', 'x', "
        "'audit-00000000000000000001.jsonl', 1, 0);"
        "CREATE TABLE approvals (id TEXT);";  // the state store's own tables stay
    ASSERT_EQ(sqlite3_exec(db, old_layout, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto index = Index::open(db_path);
  ASSERT_TRUE(index.has_value()) << index.error().message;
  auto stats = sync_index(tmp.sub("trail"), *index);
  ASSERT_TRUE(stats.has_value()) << stats.error().message;
  EXPECT_EQ(stats->added, 6u);
  SearchFilter f;
  f.intent = "refund";
  EXPECT_EQ(seqs(index->search(f)), (std::vector<std::uint64_t>{2, 5}));
  sqlite3* db = index->handle();
  EXPECT_EQ(sqlite3_exec(db, "SELECT id FROM approvals", nullptr, nullptr, nullptr), SQLITE_OK);
}

}  // namespace
}  // namespace airlock::audit
