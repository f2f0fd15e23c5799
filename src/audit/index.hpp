#pragma once
// A search index over the trail in SQLite (table audit_records, in the embedded state
// store's database file). The JSONL files stay the source of truth: the index is derived,
// can be deleted at any time, and is brought up to date incrementally by sync_index
// (docs/audit.md, "Search and trace").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

struct sqlite3;

namespace airlock::audit {

struct SearchFilter {
  std::string agent;                     // exact
  std::optional<std::int64_t> since_ms;  // records at or after this time (ms since epoch)
  std::string decision;                  // exact: allow | deny | hold
  std::string table;                     // substring of the record's tables ("subscriptions")
  std::string text;                      // substring of the statement
  std::string session;                   // exact
  std::string intent;                    // substring of the stated intent, ASCII case-insensitive
  std::size_t limit = 100;               // the newest matches; 0 = no limit
};

// One indexed record. `file`, `line` and `offset` locate its line in the trail.
struct Hit {
  std::uint64_t seq = 0;
  std::int64_t time_ms = 0;
  std::string kind;
  std::string agent;
  std::string session;
  std::string decision;
  std::string rule;
  std::string tables;  // space-separated
  std::string statement;
  std::string intent;  // the intent the agent stated
  std::string file;  // name within the audit directory
  std::uint64_t line = 0;
  std::uint64_t offset = 0;
};

struct SyncStats {
  std::uint64_t added = 0;
  std::uint64_t skipped = 0;      // lines that are not records (verify says more)
  std::uint64_t indexed_seq = 0;  // highest seq in the index afterwards
  bool rebuilt = false;           // the trail was older than the index (a new trail): started over
};

class Index {
 public:
  // Opens or creates the database file and the table and indexes. A table of an older
  // layout (without a column this one has) is dropped and made anew: the next sync_index
  // fills it again from the trail.
  static Result<Index> open(const std::string& db_path);
  Index(Index&& other) noexcept;
  Index& operator=(Index&& other) noexcept;
  ~Index();

  // Matches ordered by seq, oldest first: the `limit` newest ones.
  Result<std::vector<Hit>> search(const SearchFilter& filter) const;
  // A session's records ordered by seq.
  Result<std::vector<Hit>> trace(std::string_view session) const;
  Result<std::uint64_t> indexed_seq() const;

  sqlite3* handle() const { return db_; }

 private:
  explicit Index(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// Adds the records of the trail in dir newer than the highest indexed seq, reading from
// where the last sync stopped.
Result<SyncStats> sync_index(const std::string& dir, Index& index);

// The hit's line as it is in the trail file now; nullopt when the file no longer holds
// that record there.
std::optional<std::string> read_line(const std::string& dir, const Hit& hit);

}  // namespace airlock::audit
