// Opening the store file: creation, WAL, permissions, persistence, and clear errors.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "state/sqlite_store.hpp"
#include "state/time_text.hpp"
#include "temp_store.hpp"

namespace airlock::state {
namespace {

using testing::kT0;
using testing::open_or_die;
using testing::request;
using testing::TempDir;

TEST(StateWords, StatusRoundTrip) {
  for (auto s : {ApprovalStatus::Pending, ApprovalStatus::Approved, ApprovalStatus::Denied,
                 ApprovalStatus::Executed, ApprovalStatus::Expired}) {
    EXPECT_EQ(approval_status_from(to_string(s)), s) << to_string(s);
  }
  EXPECT_EQ(to_string(ApprovalStatus::Executed), "executed");
  EXPECT_FALSE(approval_status_from("Pending"));
  EXPECT_FALSE(approval_status_from(""));
  EXPECT_FALSE(approval_status_from("all"));
}

TEST(StateWords, ApprovalIdsAreRandomHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_approval_id();
    ASSERT_EQ(id.size(), 20u) << id;
    EXPECT_EQ(id.substr(0, 4), "apr_");
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 4), std::string::npos) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(StateWords, UtcText) {
  EXPECT_EQ(utc_text(kT0), "2023-11-14T22:13:20Z");
  EXPECT_EQ(utc_text(0), "1970-01-01T00:00:00Z");
}

TEST(StateOpen, CreatesAPrivateWalFile) {
  TempDir dir;
  auto path = dir.file("state.db");
  auto store = open_or_die(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->open_approval(request(), kT0));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // While a connection is open in WAL mode, the -wal file exists next to the database.
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
}

TEST(StateOpen, PersistsAcrossReopen) {
  TempDir dir;
  auto path = dir.file("state.db");
  std::string id;
  std::int64_t charge_id = 0;
  {
    auto store = open_or_die(path);
    ASSERT_TRUE(store);
    auto a = store->open_approval(request(), kT0);
    ASSERT_TRUE(a);
    id = a->id;
    ASSERT_TRUE(store->decide_approval(id, true, "alice", "ok once", kT0 + 10));
    auto c = store->try_charge("bot", "budgets[0]", 40, 100, testing::kHour, kT0);
    ASSERT_TRUE(c && c->accepted);
    charge_id = c->charge_id;
  }
  auto store = open_or_die(path);
  ASSERT_TRUE(store);
  auto a = store->get_approval(id, kT0 + 20);
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->status, ApprovalStatus::Approved);
  EXPECT_EQ((*a)->decided_by, "alice");
  EXPECT_EQ((*a)->note, "ok once");
  EXPECT_EQ((*a)->decided_ms, kT0 + 10);
  EXPECT_EQ((*a)->sql, request().sql);
  EXPECT_EQ((*a)->params, request().params);
  EXPECT_EQ((*a)->rows, 1);
  EXPECT_EQ((*a)->rule, "bot.hold[0]");
  EXPECT_EQ(store->used("bot", "budgets[0]", testing::kHour, kT0 + 20), 40);
  // Ids keep increasing after a reopen, so a stale refund never hits a later charge.
  auto c = store->try_charge("bot", "budgets[0]", 1, 100, testing::kHour, kT0 + 30);
  ASSERT_TRUE(c && c->accepted);
  EXPECT_GT(c->charge_id, charge_id);
}

TEST(StateOpen, NoCreateRefusesAMissingFile) {
  TempDir dir;
  auto path = dir.file("missing.db");
  auto store = open_sqlite_store(path, SqliteOptions{.create = false});
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
  EXPECT_NE(store.error().message.find("does not exist"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(StateOpen, NoCreateOpensAnExistingStore) {
  TempDir dir;
  auto path = dir.file("state.db");
  ASSERT_TRUE(open_or_die(path));
  EXPECT_TRUE(open_sqlite_store(path, SqliteOptions{.create = false}));
}

struct BadFile {
  const char* name;
  const char* contents;  // nullptr: the path's directory does not exist
  const char* message;
};

TEST(StateOpen, ErrorsNameTheFileAndSqlitesReason) {
  const BadFile cases[] = {
      {"not_a_database", "this is not an SQLite file, just some text long enough to fail",
       "file is not a database"},
      {"missing_directory", nullptr, "cannot create the file"},
  };
  for (const auto& c : cases) {
    TempDir dir;
    std::string path = c.contents ? dir.file("state.db") : dir.file("no/such/dir/state.db");
    if (c.contents) std::ofstream(path) << c.contents;
    auto store = open_sqlite_store(path);
    ASSERT_FALSE(store) << c.name;
    EXPECT_NE(store.error().message.find("state store " + path), std::string::npos)
        << c.name << ": " << store.error().message;
    EXPECT_NE(store.error().message.find(c.message), std::string::npos)
        << c.name << ": " << store.error().message;
  }
}

TEST(StateOpen, RefusesANewerSchema) {
  TempDir dir;
  auto path = dir.file("state.db");
  ASSERT_TRUE(open_or_die(path));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = open_sqlite_store(path);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("schema version 99"), std::string::npos)
      << store.error().message;
}

TEST(StateOpen, EmptyPathIsAnError) { EXPECT_FALSE(open_sqlite_store("")); }

}  // namespace
}  // namespace airlock::state
