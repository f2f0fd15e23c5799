#pragma once
// Offline checks of a trail: every hash recomputed, every link and seq followed across
// files, file names matched to their first record (docs/audit.md, "Verifying").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/writer.hpp"  // Head
#include "core/error.hpp"

namespace airlock::audit {

enum class Problem {
  None,
  Edited,     // a record's hash does not match its bytes, or its prev breaks the chain
  Deleted,    // a gap in seq (records or whole files removed)
  Inserted,   // a record that is not part of the chain, or one repeated
  Reordered,  // records out of order
  BadJson,    // a line that is not a record
  TornLine,   // a line without its newline (a write cut short)
  Naming,     // a file whose name does not match its first record, or is malformed
  Anchor,     // the trail does not contain the anchor it was checked against
};
std::string_view to_string(Problem p);

struct VerifyReport {
  bool ok = true;
  std::uint64_t records = 0;  // records found good
  std::uint64_t files = 0;    // files walked
  Head head;                  // the last good record (kGenesis / 0 when none)
  // The first bad record, when !ok.
  Problem problem = Problem::None;
  std::string file;        // file name within the directory
  std::uint64_t line = 0;  // 1-based; 0 when the problem is a whole file
  std::string reason;
  std::string where() const { return file + ":" + std::to_string(line); }
};

// Walks the trail in dir from its first file, or from `from_file` (a name or path of one
// of its files, whose first record is then trusted as the start). Without from_file the
// trail must start at seq 1 from the genesis hash. With an anchor (an earlier output of
// anchor(), kept elsewhere), the record at anchor->seq must exist and carry its hash:
// this is what detects the removal of the newest records.
// Errors (not problems): the directory or from_file cannot be read.
Result<VerifyReport> verify(const std::string& dir, const std::string& from_file = {},
                            const std::optional<Head>& anchor = std::nullopt);

// The newest complete record's seq and hash (not verified; see verify).
Result<Head> anchor(const std::string& dir);

}  // namespace airlock::audit
