#pragma once
// Internal to verify: the trail's lines as one stream across files, each already checked
// on its own (JSON, hash over its bytes), with a bounded look-ahead so that verify can tell
// a gap from records that were moved.
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "audit/files.hpp"
#include "audit/record.hpp"
#include "audit/verify.hpp"

namespace airlock::audit::detail {

struct Entry {
  std::size_t file_index = 0;
  std::uint64_t line = 0;  // 0: marker for a file without any line
  bool first_in_file = false;
  bool last_file = false;
  // Set when the line is a self-consistent record; otherwise problem/why say what it is.
  std::optional<Record> record;
  Problem problem = Problem::None;
  std::string why;
};

class Cursor {
 public:
  Cursor(const std::vector<TrailFile>& files, std::size_t first_file)
      : files_(files), first_file_(first_file), next_file_(first_file) {}

  // The entry `ahead` positions after the current one (0 = current); nullptr past the end.
  const Entry* peek(std::size_t ahead = 0);
  void pop() { buffered_.pop_front(); }
  std::size_t files_opened() const { return next_file_ - first_file_; }

 private:
  bool fill();  // reads one more entry; false at the end of the trail

  const std::vector<TrailFile>& files_;
  std::size_t first_file_;
  std::size_t next_file_;
  std::size_t file_index_ = 0;
  std::unique_ptr<LineReader> reader_;
  bool first_in_file_ = false;
  std::deque<Entry> buffered_;
};

// One line checked on its own.
Entry check_line(std::string_view line, bool complete, bool last_file);

}  // namespace airlock::audit::detail
