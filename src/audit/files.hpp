#pragma once
// The trail's files: audit-<seq of its first record, 20 digits>.jsonl in one directory,
// ordered by that number. Reading helpers shared by the writer, verify, anchor and index.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace airlock::audit {

struct TrailFile {
  std::uint64_t first_seq = 0;
  std::string name;  // audit-00000000000000000001.jsonl
  std::string path;  // dir/name
};

std::string file_name(std::uint64_t first_seq);
// The number in a well-formed name; nullopt for anything else.
std::optional<std::uint64_t> parse_file_name(std::string_view name);

struct Listing {
  std::vector<TrailFile> files;       // ordered by first_seq
  std::vector<std::string> misnamed;  // audit*.jsonl names that parse_file_name rejects
};
// An absent directory is an empty listing; other failures are errors.
Result<Listing> list_files(const std::string& dir);

// The end of a file as a crash may leave it: bytes after the last newline are torn.
struct Tail {
  std::uint64_t size = 0;         // whole file
  std::uint64_t good_size = 0;    // up to and including the last newline
  std::string last_line;          // last complete line, without newline; empty if none
  std::uint64_t last_offset = 0;  // where last_line starts
};
Result<Tail> read_tail(const std::string& path);

// Sequential lines of one file, with numbers and byte offsets. Long lines are fine.
class LineReader {
 public:
  // Starts at byte `offset`, which must be the start of line number `first_line_no`.
  explicit LineReader(const std::string& path, std::uint64_t offset = 0,
                      std::uint64_t first_line_no = 1);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  bool is_open() const { return file_ != nullptr; }
  // The next line without its newline; false at the end. `complete` is false for a last
  // line that has no newline (a torn write).
  bool next(std::string_view& line, bool& complete);
  std::uint64_t line_no() const { return line_no_; }  // of the line just returned
  std::uint64_t offset() const { return offset_; }    // its first byte
  std::uint64_t next_offset() const { return next_offset_; }

 private:
  std::FILE* file_ = nullptr;
  char* buf_ = nullptr;
  std::size_t cap_ = 0;
  std::uint64_t line_no_ = 0;
  std::uint64_t offset_ = 0;
  std::uint64_t next_offset_ = 0;
};

// errno as text ("No space left on device").
std::string errno_text(int err);

}  // namespace airlock::audit
