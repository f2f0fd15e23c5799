// Writer::open's half: take the directory, find where the chain ends, repair a torn tail.
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "audit/chain.hpp"
#include "audit/file_handle.hpp"
#include "audit/files.hpp"
#include "audit/writer.hpp"

namespace airlock::audit {
namespace {

Status io_error(const std::string& what, int err) {
  return fail(kIoError, "audit trail not writable: " + errno_text(err), what);
}

// Truncates bytes after the last newline (a write cut short by a crash or power loss) and
// returns the tail as it is afterwards. `notes` gets a line when something was cut.
Result<Tail> repair_tail(const TrailFile& f, std::vector<std::string>& notes) {
  auto tail = read_tail(f.path);
  if (!tail) return tail;
  if (tail->good_size == tail->size) return tail;
  const std::uint64_t torn = tail->size - tail->good_size;
  const int fd = ::open(f.path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(io_error("open " + f.path, errno).error());
  const bool ok = ::ftruncate(fd, static_cast<off_t>(tail->good_size)) == 0 && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok) return std::unexpected(io_error("truncate " + f.path, err).error());
  notes.push_back("recovered after a crash: removed a torn last line (" + std::to_string(torn) +
                  " bytes) at the end of " + f.name);
  tail->size = tail->good_size;
  return tail;
}

// The head the newest record gives, after checking that it is a record whose hash matches
// its own bytes (the whole chain is `airlock audit verify`'s job, not startup's).
Result<Head> head_of(const TrailFile& f, const Tail& tail) {
  const auto corrupt = [&](const std::string& why) {
    return fail(kIoError, "audit trail head is not valid: " + f.name + " at byte " +
                              std::to_string(tail.last_offset) + ": " + why +
                              " (run airlock audit verify)");
  };
  auto sealed = unseal(tail.last_line);
  if (!sealed) return corrupt("no hash at the end of the line");
  auto record = parse(tail.last_line);
  if (!record) return corrupt(record.error().message);
  if (chain_hash(record->prev, sealed->body) != sealed->hash) return corrupt("hash mismatch");
  if (record->seq < f.first_seq) return corrupt("seq below the file's first seq");
  return Head{record->seq, std::string(sealed->hash)};
}

}  // namespace

Status Writer::open_existing() {
  std::error_code ec;
  if (!std::filesystem::is_directory(options_.dir, ec)) {
    std::filesystem::create_directories(options_.dir, ec);
    if (ec)
      return fail(kIoError, "cannot create audit directory " + options_.dir + ": " + ec.message());
    std::filesystem::permissions(options_.dir, std::filesystem::perms::owner_all, ec);
  }
  // One writer per trail: a second process appending would fork the chain.
  const std::string lock_path = options_.dir + "/audit.lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return io_error("open " + lock_path, errno);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return fail(kIoError, "audit directory " + options_.dir + " is in use by another writer");
  }

  auto listing = list_files(options_.dir);
  if (!listing) return std::unexpected(listing.error());
  const auto& files = listing->files;
  if (files.empty()) return {};  // the first append creates audit-...001.jsonl

  // Newest file; when it is empty (a crash right after a rotation) the head comes from the
  // file before it, and the empty file is where appending continues.
  const TrailFile& newest = files.back();
  auto tail = repair_tail(newest, recovery_notes_);
  if (!tail) return std::unexpected(tail.error());
  if (tail->good_size > 0) {
    auto head = head_of(newest, *tail);
    if (!head) return std::unexpected(head.error());
    head_ = *head;
  } else if (files.size() > 1) {
    const TrailFile& before = files[files.size() - 2];
    auto prev_tail = repair_tail(before, recovery_notes_);
    if (!prev_tail) return std::unexpected(prev_tail.error());
    auto head = head_of(before, *prev_tail);
    if (!head) return std::unexpected(head.error());
    head_ = *head;
  }
  if (tail->good_size == 0 && newest.first_seq != head_.seq + 1) {
    return fail(kIoError, "audit trail: " + newest.name + " is empty but the chain ends at seq " +
                              std::to_string(head_.seq) + " (run airlock audit verify)");
  }
  const int fd = detail::open_for_append(newest.path);
  if (fd < 0) return io_error("open " + newest.path, errno);
  file_ = std::make_shared<File>(fd, newest.path);
  size_ = tail->good_size;
  return {};
}

}  // namespace airlock::audit
