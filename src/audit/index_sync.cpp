// sync_index: reads the trail from where the index stops and inserts the new records.
#include <sqlite3.h>

#include "audit/files.hpp"
#include "audit/index.hpp"
#include "audit/record.hpp"
#include "audit/sqlite_util.hpp"
#include "audit/verify.hpp"

namespace airlock::audit {
namespace {

using detail::db_error;
using detail::Stmt;

// Rows per transaction: bounds the WAL while a large trail is first indexed.
constexpr std::uint64_t kBatch = 50'000;

struct Position {
  std::uint64_t seq = 0;
  std::string file;
  std::uint64_t line = 0;
  std::uint64_t offset = 0;
};

Result<Position> last_indexed(sqlite3* db) {
  Stmt s(db, "SELECT seq, file, line, offset FROM audit_records ORDER BY seq DESC LIMIT 1");
  if (!s.ok()) return db_error(db, "last record");
  Position p;
  const int rc = s.step();
  if (rc == SQLITE_ROW) {
    p.seq = static_cast<std::uint64_t>(s.i64(0));
    p.file = s.text(1);
    p.line = static_cast<std::uint64_t>(s.i64(2));
    p.offset = static_cast<std::uint64_t>(s.i64(3));
  } else if (rc != SQLITE_DONE) {
    return db_error(db, "last record");
  }
  return p;
}

std::string join(const std::vector<std::string>& tables) {
  std::string out;
  for (const auto& t : tables) {
    if (!out.empty()) out.push_back(' ');
    out += t;
  }
  return out;
}

class Ingest {
 public:
  Ingest(sqlite3* db, std::uint64_t after)
      : db_(db),
        after_(after),
        insert_(db,
                "INSERT OR REPLACE INTO audit_records (seq, time_ms, kind, agent, session, "
                "decision, rule, tables, statement, file, line, offset, intent) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)") {}

  Status begin() {
    if (!insert_.ok()) return db_error(db_, "prepare insert");
    return detail::exec(db_, "BEGIN IMMEDIATE");
  }
  Status commit() { return detail::exec(db_, "COMMIT"); }

  // One file from `offset` (the start of line `line_no`); stops at a torn last line.
  Status file(const TrailFile& f, std::uint64_t offset, std::uint64_t line_no) {
    LineReader reader(f.path, offset, line_no);
    if (!reader.is_open()) return fail(sqlstate::kInternalError, "cannot read " + f.path);
    std::string_view line;
    bool complete = false;
    while (reader.next(line, complete)) {
      if (!complete) break;  // being written, or torn: not a record yet
      auto r = parse(line);
      if (!r) {
        ++stats_.skipped;
        continue;
      }
      if (r->seq <= after_) continue;
      insert_.bind(1, static_cast<std::int64_t>(r->seq));
      insert_.bind(2, parse_time_ms(r->time).value_or(0));
      insert_.bind(3, r->kind);
      insert_.bind(4, r->agent);
      insert_.bind(5, r->session);
      insert_.bind(6, r->decision);
      insert_.bind(7, r->rule);
      insert_.bind(8, join(r->tables));
      insert_.bind(9, r->statement);
      insert_.bind(10, f.name);
      insert_.bind(11, static_cast<std::int64_t>(reader.line_no()));
      insert_.bind(12, static_cast<std::int64_t>(reader.offset()));
      insert_.bind(13, r->intent);
      if (insert_.step() != SQLITE_DONE) return db_error(db_, "insert");
      insert_.reset();
      ++stats_.added;
      stats_.indexed_seq = std::max(stats_.indexed_seq, r->seq);
      if (stats_.added % kBatch == 0) {
        if (auto s = commit(); !s) return s;
        if (auto s = detail::exec(db_, "BEGIN IMMEDIATE"); !s) return s;
      }
    }
    return {};
  }

  SyncStats& stats() { return stats_; }

 private:
  sqlite3* db_;
  std::uint64_t after_;
  Stmt insert_;
  SyncStats stats_;
};

}  // namespace

Result<SyncStats> sync_index(const std::string& dir, Index& index) {
  sqlite3* db = index.handle();
  auto listing = list_files(dir);
  if (!listing) return std::unexpected(listing.error());
  auto last = last_indexed(db);
  if (!last) return std::unexpected(last.error());
  // A trail that ends before the index does is a new trail in the same place (or one cut
  // short): the index no longer describes it.
  // (A newest line that is not a record says nothing either way: verify reports it.)
  auto head = anchor(dir);
  bool rebuilt = false;
  if (head && head->seq < last->seq) {
    if (auto s = detail::exec(db, "DELETE FROM audit_records"); !s)
      return std::unexpected(s.error());
    *last = Position{};
    rebuilt = true;
  }
  const auto& files = listing->files;
  // Resume in the file holding the last indexed record, right after it.
  std::size_t first = 0;
  std::uint64_t offset = 0, line_no = 1;
  if (last->seq > 0) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (files[i].first_seq <= last->seq) first = i;
    }
    if (!files.empty() && files[first].name == last->file) {
      offset = last->offset;
      line_no = last->line;
    }
  }
  Ingest ingest(db, last->seq);
  if (auto s = ingest.begin(); !s) return std::unexpected(s.error());
  for (std::size_t i = first; i < files.size(); ++i) {
    const bool resume = i == first;
    if (auto s = ingest.file(files[i], resume ? offset : 0, resume ? line_no : 1); !s) {
      (void)detail::exec(db, "ROLLBACK");
      return std::unexpected(s.error());
    }
  }
  if (auto s = ingest.commit(); !s) return std::unexpected(s.error());
  SyncStats stats = ingest.stats();
  stats.rebuilt = rebuilt;
  stats.indexed_seq = std::max(stats.indexed_seq, last->seq);
  return stats;
}

}  // namespace airlock::audit
