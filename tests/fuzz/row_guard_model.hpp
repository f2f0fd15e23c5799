#pragma once
// A small model of PostgreSQL 15 for fuzz_row_guard.cpp: it answers the messages the row guard
// sends (Close, Parse, Bind, Describe, Execute, Flush, Sync, and a Query "ROLLBACK" or "COMMIT")
// as the server would: an error skips everything up to the next Sync (Close included; a Query's
// error skips nothing, its ReadyForQuery follows); the transaction status follows BEGIN, COMMIT,
// ROLLBACK and savepoints. Status 'I' with messages since the last Sync is the extended
// protocol's implicit transaction: the Sync commits it, an error aborts it, BEGIN turns it into
// a block without a word; BEGIN inside a block warns 25001 and changes nothing. Savepoints are
// counted (SAVEPOINT pushes one, RELEASE pops, ROLLBACK TO keeps it; 3B001 without one; 25P01
// outside a block). pg_stat_xact counts grow with the statement and are not rolled back; named
// statements outlive transactions, portals end with theirs. Where it fails, and how many rows
// the statement changes, the input says. Its errors quote names as PostgreSQL's do.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <source_location>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "protocol/backend.hpp"
#include "protocol/builder.hpp"
#include "protocol/frame.hpp"
#include "protocol/frontend.hpp"

namespace airlock::fuzz {

using namespace airlock::protocol;
using Frames = std::vector<std::pair<Frame, std::string_view>>;

inline constexpr std::size_t kMax = 1 << 20;
// As the session makes them: reserved, random per session, the marker apart.
inline constexpr std::string_view kName = "airlock_g0011223344556677";
inline constexpr std::string_view kSavepoint = "airlock_s0011223344556677";
inline constexpr std::string_view kMarker = "airlock_denied_ab";
inline const char* const kTables[] = {"public.t", "public.u", "audit.log"};

inline void check(bool ok, std::source_location at = std::source_location::current()) {
  if (ok) return;
  std::fprintf(stderr, "check failed: %s:%u\n", at.file_name(), static_cast<unsigned>(at.line()));
  std::abort();
}

// The input, read from either end; 0 once used up (so a short input means "all goes well").
struct Bytes {
  std::string_view in;
  std::uint8_t front() {
    if (in.empty()) return 0;
    const auto c = static_cast<std::uint8_t>(in.front());
    in.remove_prefix(1);
    return c;
  }
  std::uint8_t back() {
    if (in.empty()) return 0;
    const auto c = static_cast<std::uint8_t>(in.back());
    in.remove_suffix(1);
    return c;
  }
  std::string_view take(std::size_t n) {
    const std::string_view s = in.substr(0, n);
    in.remove_prefix(s.size());
    return s;
  }
};

// Any type byte, 0 included (MessageBuilder would take 0 for a startup packet).
inline std::string msg(char type, std::string_view body = {}) {
  std::string out(1, type);
  append_be32(out, static_cast<std::uint32_t>(body.size() + 4));
  return out.append(body);
}
inline std::string tag(std::string_view t) { return msg('C', std::string(t) + '\0'); }
inline std::string data_row(std::string_view a, std::string_view b) {
  std::string out;
  MessageBuilder(out)
      .begin('D')
      .i16(2)
      .i32(static_cast<std::int32_t>(a.size()))
      .bytes(a)
      .i32(static_cast<std::int32_t>(b.size()))
      .bytes(b)
      .end();
  return out;
}
inline std::string row_description() {
  std::string out;
  MessageBuilder(out)
      .begin('T')
      .i16(1)
      .cstring("id")
      .i32(0)
      .i16(0)
      .i32(23)
      .i16(4)
      .i32(-1)
      .i16(0)
      .end();
  return out;
}
inline std::string param_description() {
  std::string out;
  MessageBuilder(out).begin('t').i16(1).i32(23).end();
  return out;
}
inline std::string error(std::string_view code, std::string_view text) {
  std::string out;
  append_error(out, {.severity = "ERROR", .sqlstate = code, .message = text});
  return out;
}
inline std::string notice(std::string_view text, std::string_view code = "00000") {
  std::string out;
  append_notice(out, {.severity = code == "00000" ? "NOTICE" : "WARNING",
                      .sqlstate = code,
                      .message = text});
  return out;
}
inline std::string ready(char status) {
  std::string out;
  append_ready_for_query(out, status);
  return out;
}

inline Frames whole(std::string_view bytes) {
  Frames out;
  while (!bytes.empty()) {
    Frame f;
    check(decode_typed(bytes, kMax, f) == DecodeStatus::Ready);
    out.emplace_back(f, bytes.substr(0, f.size));
    bytes.remove_prefix(f.size);
  }
  return out;
}

class Model {
 public:
  Model(Bytes& b, bool in_transaction, std::string sql, bool returns_rows)
      : b_(b), sql_(std::move(sql)), returns_rows_(returns_rows) {
    status = in_transaction ? 'T' : 'I';
    if (in_transaction) {  // earlier statements of the client's transaction
      for (const char* t : kTables) counts_[t] = b_.front() % 4;
    }
  }

  std::deque<std::string> out;  // answers the guard has not read yet
  char status = 'I';
  bool committed = false;  // the statement's changes were kept (committed or released)
  bool durable = false;    // ... and a transaction holding them committed (never undone)
  std::map<std::string, std::uint64_t, std::less<>> deltas;
  std::uint64_t tag_rows = 0;

  bool rollback_cancelled = false;  // a cancel hit the guard's ROLLBACK Query

  bool fails() { return b_.front() % 8 == 7; }
  // Each guard's statement is judged on its own: `committed` is per guard.
  void next_guard() { committed = false; }
  // What the server holds under Airlock's names (none once the client has the turn).
  bool holds_guard_names() const {
    return statements_.contains(kName) || portals_.contains(kName);
  }
  void answer(std::string m) {
    if (b_.front() % 16 == 15) out.push_back(notice("fuzz"));
    out.push_back(std::move(m));
  }
  void fail(std::string_view code, std::string_view text) {
    answer(error(code, text));
    skipping_ = true;
    effect_ = false;
    if (status == 'T') status = 'E';
    if (status == 'I') end(false);  // the implicit transaction is aborted
  }
  void read(std::string_view up) {
    for (const auto& [f, raw] : whole(up)) on_message(f);
  }

 private:
  void end(bool commit) {
    if (commit && effect_) committed = true;
    if (commit && (effect_ || released_)) durable = true;
    effect_ = false;
    released_ = false;
    savepoints_ = 0;
    status = 'I';
    counts_.clear();
    portals_.clear();
  }
  static bool ends_block(std::string_view sql) {
    return sql.starts_with("ROLLBACK") || sql == "COMMIT";
  }
  // The Query COMMIT the session sends after the client's Sync when Airlock opened the block.
  void commit_query() {
    if (status == 'E') {  // the batch failed: COMMIT of a failed block rolls it back
      end(false);
      answer(tag("ROLLBACK"));
    } else if (status == 'I') {
      answer(notice("there is no transaction in progress", "25P01"));
      answer(tag("COMMIT"));
    } else if (fails()) {  // a deferred constraint: the block ends, rolled back
      end(false);
      answer(error("23503", "violates foreign key constraint"));
    } else {
      end(true);
      answer(tag("COMMIT"));
    }
    answer(ready(status));
  }

  void on_message(const Frame& f) {
    if (f.type == 'S') {
      skipping_ = false;
      if (status == 'I') end(true);
      return answer(ready(status));
    }
    if (skipping_) return;  // PostgreSQL ignores every message up to the Sync
    switch (f.type) {
      case 'H':
        return;
      case 'C': {
        const auto t = parse_target(f);
        (t->kind == 'S' ? statements_ : portals_).erase(std::string(t->name));
        return answer(msg('3'));
      }
      case 'P': {
        const auto p = parse_parse(f);
        if (p->query == kMarker) {
          return fail("42601", "syntax error at or near \"" + std::string(kMarker) + "\"");
        }
        if (p->query == sql_ && fails()) return fail("42P01", "relation does not exist");
        if (status == 'E' && !ends_block(p->query)) return fail("25P02", "transaction is aborted");
        if (!statements_.emplace(p->statement, p->query).second) {
          return fail("42P05", "prepared statement \"" + std::string(p->statement) +
                                   "\" already exists");
        }
        return answer(msg('1'));
      }
      case 'B': {
        const auto bind = parse_bind(f);
        const auto it = statements_.find(bind->statement);
        if (it == statements_.end()) {
          return fail("26000", "prepared statement \"" + std::string(bind->statement) +
                                   "\" does not exist");
        }
        if (status == 'E' && !ends_block(it->second))
          return fail("25P02", "transaction is aborted");
        if (it->second == sql_ && fails()) return fail("22P02", "invalid input syntax");
        portals_[std::string(bind->portal)] = it->second;
        return answer(msg('2'));
      }
      case 'D': {
        const auto name = parse_target(f)->name;
        const auto it = portals_.find(name);
        if (it == portals_.end()) {
          return fail("34000", "portal \"" + std::string(name) + "\" does not exist");
        }
        return answer(it->second == sql_ && returns_rows_ ? row_description() : msg('n'));
      }
      case 'E': {
        const auto name = parse_execute(f)->portal;
        const auto it = portals_.find(name);
        if (it == portals_.end()) {
          return fail("34000", "portal \"" + std::string(name) + "\" does not exist");
        }
        return execute(std::string(it->second));
      }
      case 'Q':  // only ever "ROLLBACK", or "COMMIT" after the client's Sync (check_upstream)
        if (parse_query(f) == std::string_view("COMMIT")) return commit_query();
        if (fails()) {
          // A cancel request of the client's arriving as it runs: the block stays as it was,
          // and the error ends at the Query's own ReadyForQuery (nothing skipped after it).
          rollback_cancelled = true;
          answer(error("57014", "canceling statement due to user request"));
          if (status == 'T') status = 'E';
          return answer(ready(status));
        }
        if (status == 'I') answer(notice("there is no transaction in progress", "25P01"));
        end(false);
        answer(tag("ROLLBACK"));
        return answer(ready(status));
      default:
        check(false);
    }
  }

  // Where a real server fails: the client's statement, the count, COMMIT (a deferred
  // constraint), BEGIN and SAVEPOINT (a cancel), the ROLLBACK Query (a cancel, above); never
  // an injected ROLLBACK, nor Close, Parse and Bind of Airlock's own commands.
  void execute(const std::string& sql) {
    if (status == 'E' && !ends_block(sql)) return fail("25P02", "transaction is aborted");
    if (sql == "BEGIN") {
      if (fails()) return fail("57014", "canceling statement due to user request");
      if (status == 'T') answer(notice("there is already a transaction in progress", "25001"));
      status = 'T';  // in an implicit transaction: it becomes the block, effects and all
      return answer(tag("BEGIN"));
    }
    if (sql == "COMMIT") {
      if (status == 'E') {  // COMMIT of a failed block rolls it back
        end(false);
        return answer(tag("ROLLBACK"));
      }
      if (status == 'I') answer(notice("there is no transaction in progress", "25P01"));
      if (fails()) {  // a deferred constraint: the block ends, rolled back
        end(false);
        return fail("23503", "violates foreign key constraint");
      }
      end(true);
      return answer(tag("COMMIT"));
    }
    if (sql == "ROLLBACK") {
      if (status == 'I') answer(notice("there is no transaction in progress", "25P01"));
      end(false);
      return answer(tag("ROLLBACK"));
    }
    if (sql.starts_with("SAVEPOINT ") || sql.starts_with("RELEASE SAVEPOINT ") ||
        sql.starts_with("ROLLBACK TO SAVEPOINT ")) {
      check(sql.ends_with(std::string(" ") + std::string(kSavepoint)));  // Airlock's own
      if (status == 'I') return fail("25P01", "can only be used in transaction blocks");
      if (sql.starts_with("SAVEPOINT ")) {
        if (fails()) return fail("57014", "canceling statement due to user request");
        ++savepoints_;
        return answer(tag("SAVEPOINT"));
      }
      if (savepoints_ == 0) {
        return fail("3B001", "savepoint \"" + std::string(kSavepoint) + "\" does not exist");
      }
      if (sql.starts_with("RELEASE ")) {
        if (fails()) return fail("57014", "canceling statement due to user request");
        if (effect_) {
          committed = true;
          released_ = true;  // kept in the block: durable when the block commits
        }
        effect_ = false;
        --savepoints_;
        return answer(tag("RELEASE"));
      }
      status = 'T';  // pg_stat_xact counts are not rolled back with the savepoint
      effect_ = false;  // the savepoint itself stays
      return answer(tag("ROLLBACK"));
    }
    if (sql.find("pg_stat_xact_user_tables") != std::string::npos) {
      if (fails()) return fail("42501", "permission denied for view pg_stat_xact_user_tables");
      int n = 0;
      for (const auto& [t, c] : counts_) {
        if (c == 0) continue;
        answer(data_row(t, std::to_string(c)));
        ++n;
      }
      return answer(tag("SELECT " + std::to_string(n)));
    }
    check(sql == sql_);  // the guarded statement, and nothing else
    if (fails()) return fail("23505", "duplicate key value violates unique constraint");
    deltas.clear();
    effect_ = true;  // an empty query changes nothing, but is kept or undone all the same
    if (sql_.empty()) return answer(msg('I'));
    for (const char* t : kTables) {
      const std::uint64_t d = b_.front() % 4;
      counts_[t] += d;
      if (d > 0) deltas[t] = d;
    }
    tag_rows = b_.front() % 8;
    if (returns_rows_) {
      for (std::uint64_t i = 0; i < tag_rows; ++i) answer(data_row("1", "x"));
    }
    return answer(tag("UPDATE " + std::to_string(tag_rows)));
  }

  Bytes& b_;
  std::string sql_;
  bool returns_rows_;
  bool skipping_ = false;
  bool effect_ = false;  // the statement's changes, neither kept nor undone yet
  bool released_ = false;  // a statement's changes released into the still open block
  int savepoints_ = 0;     // Airlock's savepoints open in the block (all of one name)
  std::map<std::string, std::string, std::less<>> statements_, portals_;
  std::map<std::string, std::uint64_t, std::less<>> counts_;
};

}  // namespace airlock::fuzz
