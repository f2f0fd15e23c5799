#include "audit/verify.hpp"

#include <filesystem>

#include "audit/chain.hpp"
#include "audit/files.hpp"
#include "audit/verify_cursor.hpp"

namespace airlock::audit {
namespace {

using detail::Cursor;
using detail::Entry;

// How far verify looks ahead for the record it expects before calling a jump in seq a gap
// rather than a reordering.
constexpr std::size_t kLookAhead = 256;

class Walk {
 public:
  Walk(const std::vector<TrailFile>& files, std::size_t first, bool trust_first,
       const std::optional<Head>& anchor)
      : files_(files), cursor_(files, first), trust_first_(trust_first), anchor_(anchor) {
    report_.head.hash = std::string(kGenesis);
  }

  VerifyReport run() {
    while (const Entry* e = cursor_.peek()) {
      if (!step(*e)) return finish();
      cursor_.pop();
    }
    if (anchor_ && report_.ok && report_.head.seq < anchor_->seq) {
      bad(Problem::Anchor, last_file_, last_line_,
          "the trail ends here, at seq " + std::to_string(report_.head.seq) +
              " but the anchor is at seq " + std::to_string(anchor_->seq) +
              ": the newest records were removed");
    }
    return finish();
  }

 private:
  VerifyReport finish() {
    report_.files = cursor_.files_opened();
    return std::move(report_);
  }

  bool bad(Problem p, const std::string& file, std::uint64_t line, std::string why) {
    report_.ok = false;
    report_.problem = p;
    report_.file = file;
    report_.line = line;
    report_.reason = std::move(why);
    return false;
  }

  // Returns false after reporting the first problem.
  bool step(const Entry& e) {
    const TrailFile& f = files_[e.file_index];
    const std::uint64_t expected = report_.head.seq + 1;
    const bool started = report_.records > 0 || !trust_first_;
    if (e.first_in_file && started && f.first_seq != expected) {
      if (f.first_seq > expected)
        return bad(Problem::Deleted, f.name, e.line,
                   "records " + range(expected, f.first_seq - 1) + " are missing before this file");
      return bad(Problem::Naming, f.name, e.line,
                 "the file name says seq " + std::to_string(f.first_seq) +
                     " but the chain continues at seq " + std::to_string(expected));
    }
    if (e.line == 0 && !e.record && e.problem == Problem::None) {  // an empty file
      if (e.last_file) return true;                                // a crash right after a rotation
      return bad(Problem::Deleted, f.name, 0, "the file is empty: its records were removed");
    }
    if (!e.record) return bad(e.problem, f.name, e.line, e.why);
    const Record& r = *e.record;
    if (e.first_in_file && r.seq != f.first_seq) {
      return bad(Problem::Naming, f.name, e.line,
                 "the file name says seq " + std::to_string(f.first_seq) +
                     " but its first record is seq " + std::to_string(r.seq));
    }
    if (!started) {
      // --from: the first record is taken as the start of the chain.
      report_.head.hash = r.prev;
      report_.head.seq = r.seq - 1;
    } else if (!check_link(e, f)) {
      return false;
    }
    if (anchor_ && r.seq == anchor_->seq && r.hash != anchor_->hash) {
      return bad(Problem::Anchor, f.name, e.line,
                 "record seq " + std::to_string(r.seq) + " does not carry the anchor's hash " +
                     anchor_->hash);
    }
    ++report_.records;
    report_.head = Head{r.seq, r.hash};
    last_file_ = f.name;
    last_line_ = e.line;
    return true;
  }

  bool check_link(const Entry& e, const TrailFile& f) {
    const Record& r = *e.record;
    const std::uint64_t expected = report_.head.seq + 1;
    const std::string& prev = report_.head.hash;
    if (r.seq == expected) {
      if (r.prev == prev) return true;
      if (expected == 1)
        return bad(Problem::Edited, f.name, e.line,
                   "the first record does not start from the genesis hash");
      const Entry* next = cursor_.peek(1);
      if (next && next->record && next->record->seq == expected && next->record->prev == prev)
        return bad(Problem::Inserted, f.name, e.line,
                   "a record that is not part of the chain was inserted before seq " +
                       std::to_string(expected));
      return bad(Problem::Edited, f.name, e.line,
                 "prev does not match the hash of the record before (seq " +
                     std::to_string(r.seq - 1) + ")");
    }
    if (r.seq > expected) {
      for (std::size_t k = 1; k <= kLookAhead; ++k) {
        const Entry* ahead = cursor_.peek(k);
        if (!ahead) break;
        if (ahead->record && ahead->record->seq == expected)
          return bad(
              Problem::Reordered, f.name, e.line,
              "seq " + std::to_string(r.seq) + " appears before seq " + std::to_string(expected));
      }
      if (expected == 1 && !trust_first_)
        return bad(Problem::Deleted, f.name, e.line,
                   "the trail starts at seq " + std::to_string(r.seq) +
                       ": earlier records are missing (use --from to verify from a later file)");
      return bad(Problem::Deleted, f.name, e.line,
                 "records " + range(expected, r.seq - 1) + " are missing");
    }
    if (r.hash == prev)
      return bad(Problem::Inserted, f.name, e.line, "a copy of the record before it");
    return bad(Problem::Inserted, f.name, e.line,
               "seq " + std::to_string(r.seq) + " where seq " + std::to_string(expected) +
                   " was expected (a repeated or moved record)");
  }

  static std::string range(std::uint64_t a, std::uint64_t b) {
    return a == b ? "seq " + std::to_string(a)
                  : "seq " + std::to_string(a) + ".." + std::to_string(b);
  }

  const std::vector<TrailFile>& files_;
  Cursor cursor_;
  bool trust_first_;
  std::optional<Head> anchor_;
  VerifyReport report_;
  std::string last_file_;  // where the last good record is
  std::uint64_t last_line_ = 0;
};

}  // namespace

std::string_view to_string(Problem p) {
  switch (p) {
    case Problem::None:
      return "ok";
    case Problem::Edited:
      return "edited";
    case Problem::Deleted:
      return "deleted";
    case Problem::Inserted:
      return "inserted";
    case Problem::Reordered:
      return "reordered";
    case Problem::BadJson:
      return "bad JSON";
    case Problem::TornLine:
      return "torn line";
    case Problem::Naming:
      return "file naming";
    case Problem::Anchor:
      return "anchor mismatch";
  }
  return "unknown";
}

Result<VerifyReport> verify(const std::string& dir, const std::string& from_file,
                            const std::optional<Head>& anchor) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return fail(sqlstate::kInternalError, "audit directory " + dir + " does not exist");
  auto listing = list_files(dir);
  if (!listing) return std::unexpected(listing.error());
  if (!listing->misnamed.empty()) {
    VerifyReport r;
    r.ok = false;
    r.problem = Problem::Naming;
    r.file = listing->misnamed.front();
    r.reason = "not a trail file name (audit-<20-digit first seq>.jsonl)";
    return r;
  }
  std::size_t first = 0;
  if (!from_file.empty()) {
    const std::string name = std::filesystem::path(from_file).filename().string();
    first = listing->files.size();
    for (std::size_t i = 0; i < listing->files.size(); ++i) {
      if (listing->files[i].name == name) first = i;
    }
    if (first == listing->files.size())
      return fail(sqlstate::kInternalError, "no trail file " + name + " in " + dir);
  }
  return Walk(listing->files, first, !from_file.empty(), anchor).run();
}

Result<Head> anchor(const std::string& dir) {
  auto listing = list_files(dir);
  if (!listing) return std::unexpected(listing.error());
  // The newest file may be empty after a rotation; the head is then in the one before.
  for (auto it = listing->files.rbegin(); it != listing->files.rend(); ++it) {
    auto tail = read_tail(it->path);
    if (!tail) return std::unexpected(tail.error());
    if (tail->last_line.empty()) continue;
    auto sealed = unseal(tail->last_line);
    auto record = parse(tail->last_line);
    if (!sealed || !record)
      return fail(sqlstate::kInternalError, "the newest line of " + it->name + " is not a record");
    return Head{record->seq, std::string(sealed->hash)};
  }
  return Head{0, std::string(kGenesis)};
}

}  // namespace airlock::audit
