#include "audit/verify_cursor.hpp"

#include "audit/chain.hpp"

namespace airlock::audit::detail {

Entry check_line(std::string_view line, bool complete, bool last_file) {
  Entry e;
  if (!complete) {
    e.problem = Problem::TornLine;
    e.why = last_file ? "torn last line: a write cut short (a crash, or the file was truncated)"
                      : "line without a newline: the file was cut in the middle of a record";
    return e;
  }
  auto sealed = unseal(line);
  auto record = parse(line);
  if (!record || !sealed) {
    e.problem = Problem::BadJson;
    e.why = "not a record: " +
            (record ? std::string("no valid hash at the end of the line") : record.error().message);
    return e;
  }
  if (!is_hash(record->prev)) {
    e.problem = Problem::BadJson;
    e.why = "not a record: prev is not a hash";
    return e;
  }
  if (chain_hash(record->prev, sealed->body) != sealed->hash) {
    e.problem = Problem::Edited;
    e.why = "the hash does not match the record's content";
    return e;
  }
  e.record = std::move(*record);
  return e;
}

bool Cursor::fill() {
  for (;;) {
    if (!reader_) {
      if (next_file_ >= files_.size()) return false;
      file_index_ = next_file_++;
      reader_ = std::make_unique<LineReader>(files_[file_index_].path);
      first_in_file_ = true;
      if (!reader_->is_open()) {
        Entry e;
        e.file_index = file_index_;
        e.first_in_file = true;
        e.problem = Problem::Naming;
        e.why = "cannot open the file: " + errno_text(errno);
        buffered_.push_back(std::move(e));
        reader_.reset();
        return true;
      }
    }
    const bool last_file = file_index_ + 1 == files_.size();
    std::string_view text;
    bool complete = false;
    if (reader_->next(text, complete)) {
      Entry e = check_line(text, complete, last_file);
      e.file_index = file_index_;
      e.line = reader_->line_no();
      e.first_in_file = first_in_file_;
      e.last_file = last_file;
      first_in_file_ = false;
      buffered_.push_back(std::move(e));
      return true;
    }
    const bool was_empty = first_in_file_;
    reader_.reset();
    if (was_empty) {  // a file without a single line still has to be accounted for
      Entry e;
      e.file_index = file_index_;
      e.first_in_file = true;
      e.last_file = last_file;
      buffered_.push_back(std::move(e));
      return true;
    }
  }
}

const Entry* Cursor::peek(std::size_t ahead) {
  while (buffered_.size() <= ahead) {
    if (!fill()) return nullptr;
  }
  return &buffered_[ahead];
}

}  // namespace airlock::audit::detail
