#pragma once
// The appending end of the trail. append() writes the record's line with one write(2)
// before it returns, so a record the caller has seen succeed survives a crash (kill -9) of
// the process; with fsync "always" it also survives a power loss (docs/audit.md,
// "Durability"). When the trail cannot be written the writer fails closed: every append
// fails, with the reason, until a retry succeeds.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/record.hpp"
#include "core/error.hpp"

namespace airlock::audit {

enum class FsyncPolicy {
  Always,    // fdatasync inside every append
  Interval,  // a background thread fdatasyncs every fsync_interval when something was written
};

// SQLSTATEs of a failed append, for the error sent to a client whose statement is refused.
inline constexpr const char* kDiskFull = "53100";
inline constexpr const char* kIoError = "58030";

struct WriterOptions {
  std::string dir;  // created (0700) when absent
  FsyncPolicy fsync = FsyncPolicy::Interval;
  std::chrono::milliseconds fsync_interval{10};
  std::uint64_t max_file_bytes = 64ull * 1024 * 1024;  // a file is rotated before exceeding it
  // Seams for tests (injected ENOSPC, EIO). Default: ::write and ::fdatasync.
  std::function<ssize_t(int fd, const void* data, std::size_t size)> write_fn;
  std::function<int(int fd)> sync_fn;
};

// The newest record: what `airlock audit anchor` prints and what the next record links to.
struct Head {
  std::uint64_t seq = 0;  // 0: empty trail
  std::string hash;       // kGenesis for an empty trail
};

class Writer {
 public:
  // Opens (or starts) the trail in options.dir and continues its chain: the newest file's
  // last complete line gives seq and prev. A torn last line (a crash in the middle of a
  // write) is truncated away, recorded as an "event" record and listed in recovery_notes().
  // Fails when the directory is in use by another writer (flock), or when the newest
  // record is not a valid, self-consistent record.
  static Result<std::unique_ptr<Writer>> open(WriterOptions options);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Thread-safe. Fills record.seq, .time (when empty), .prev and .hash, then writes the
  // line (and fdatasyncs it under FsyncPolicy::Always) before returning. On failure
  // nothing of the record stays in the file, the chain head is unchanged and the writer is
  // unhealthy until a later append (or sync) succeeds.
  Status append(Record& record);

  // fdatasync now (shutdown, tests). Also the retry path after a failure.
  Status sync();

  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }
  std::string failure() const;  // why it is unhealthy; empty when healthy
  Head head() const;
  std::string current_file() const;  // path of the file being appended to; empty if none
  const std::vector<std::string>& recovery_notes() const { return recovery_notes_; }

 private:
  class File;
  explicit Writer(WriterOptions options);

  Status open_existing();  // writer_open.cpp
  Status append_locked(std::string_view fields, Record& record);
  Status write_line(const std::string& line);
  Status rotate(std::uint64_t first_seq);
  Status recover();
  Status failed(const char* op, int err, const std::string& path = {});
  void sync_loop(std::stop_token stop);

  WriterOptions options_;
  mutable std::mutex mu_;
  std::condition_variable_any wake_;
  std::shared_ptr<File> file_;  // the current file; shared with an in-flight background sync
  std::uint64_t size_ = 0;  // bytes of complete records in the current file
  Head head_;
  bool dirty_ = false;  // written since the last fdatasync
  std::string failure_;
  bool sync_failed_ = false;  // the failure was an fdatasync: recovery must redo it
  std::atomic<bool> healthy_{true};
  int lock_fd_ = -1;
  std::vector<std::string> recovery_notes_;
  std::jthread sync_thread_;  // FsyncPolicy::Interval only; declared last, joined first
};

}  // namespace airlock::audit
