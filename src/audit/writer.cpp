#include "audit/writer.hpp"

#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

#include "audit/chain.hpp"
#include "audit/file_handle.hpp"
#include "audit/files.hpp"

namespace airlock::audit {

Writer::Writer(WriterOptions options) : options_(std::move(options)) {
  if (!options_.write_fn)
    options_.write_fn = [](int fd, const void* p, std::size_t n) { return ::write(fd, p, n); };
  if (!options_.sync_fn) options_.sync_fn = [](int fd) { return ::fdatasync(fd); };
  head_.hash = std::string(kGenesis);
}

Writer::~Writer() {
  if (sync_thread_.joinable()) {
    sync_thread_.request_stop();
    wake_.notify_all();
    sync_thread_.join();
  }
  {
    std::lock_guard lock(mu_);
    if (file_ && dirty_) (void)options_.sync_fn(file_->fd());
    file_.reset();
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<Writer>> Writer::open(WriterOptions options) {
  std::unique_ptr<Writer> w(new Writer(std::move(options)));
  if (auto s = w->open_existing(); !s) return std::unexpected(s.error());
  if (w->options_.fsync == FsyncPolicy::Interval) {
    w->sync_thread_ = std::jthread([raw = w.get()](std::stop_token stop) { raw->sync_loop(stop); });
  }
  // A repaired crash is part of the history: say so in the trail itself.
  for (const auto& note : w->recovery_notes_) {
    Record event;
    event.kind = kind::kEvent;
    event.reason = note;
    (void)w->append(event);  // a failure leaves the writer unhealthy, which the caller sees
  }
  return w;
}

std::string Writer::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

Head Writer::head() const {
  std::lock_guard lock(mu_);
  return head_;
}

std::string Writer::current_file() const {
  std::lock_guard lock(mu_);
  return file_ ? file_->path() : std::string();
}

Status Writer::append(Record& record) {
  // The bulk of the serialization needs no lock; seq, time and prev are added under it.
  const std::string fields = serialize_fields(record);
  std::lock_guard lock(mu_);
  if (!failure_.empty()) {
    if (auto s = recover(); !s) return s;
  }
  return append_locked(fields, record);
}

Status Writer::append_locked(std::string_view fields, Record& record) {
  const std::uint64_t seq = head_.seq + 1;
  std::string time =
      record.time.empty() ? format_time(std::chrono::system_clock::now()) : record.time;
  const std::string body = serialize_body(seq, time, fields, head_.hash);
  std::string hash = chain_hash(head_.hash, body);
  std::string line = seal(body, hash);
  line.push_back('\n');
  if (!file_ || (size_ > 0 && size_ + line.size() > options_.max_file_bytes)) {
    if (auto s = rotate(seq); !s) return s;
  }
  if (auto s = write_line(line); !s) return s;
  if (options_.fsync == FsyncPolicy::Always && options_.sync_fn(file_->fd()) != 0) {
    const int err = errno;
    // Not known to be durable: take it back, so that a refused statement has no intent
    // record and the chain head stays where the file ends.
    (void)::ftruncate(file_->fd(), static_cast<off_t>(size_));
    return failed("fdatasync", err);
  }
  size_ += line.size();
  dirty_ = options_.fsync == FsyncPolicy::Interval;
  record.seq = seq;
  record.time = std::move(time);
  record.prev = std::move(head_.hash);
  record.hash = hash;
  head_ = Head{seq, std::move(hash)};
  return {};
}

Status Writer::write_line(const std::string& line) {
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = options_.write_fn(file_->fd(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      // A partial line must not stay: the next record would be glued to it.
      (void)::ftruncate(file_->fd(), static_cast<off_t>(size_));
      return failed("write", err);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return {};
}

Status Writer::rotate(std::uint64_t first_seq) {
  // The finished file is made durable whatever the policy: rotation is rare.
  if (file_ && options_.sync_fn(file_->fd()) != 0) return failed("fdatasync", errno);
  const std::string path = options_.dir + "/" + file_name(first_seq);
  const int fd = detail::open_for_append(path);
  if (fd < 0) return failed("create", errno, path);
  auto next = std::make_shared<File>(fd, path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return failed("stat", errno);
  if (st.st_size != 0) {
    // Only a failed earlier attempt of this same rotation can have created it, and that
    // wrote nothing; anything else is not ours to append to.
    failure_ = "audit trail not writable: " + path + " exists and is not empty";
    healthy_.store(false, std::memory_order_relaxed);
    return fail(kIoError, failure_);
  }
  if (detail::sync_directory(options_.dir) != 0) return failed("fsync directory", errno);
  file_ = std::move(next);
  size_ = 0;
  dirty_ = false;
  return {};
}

// Called under the lock while failed: undo any partial write, and redo a failed fdatasync
// (what was written before it is not known to be durable); success clears the failure.
Status Writer::recover() {
  if (file_) {
    struct stat st {};
    if (::fstat(file_->fd(), &st) != 0) return failed("stat", errno);
    if (static_cast<std::uint64_t>(st.st_size) > size_ &&
        ::ftruncate(file_->fd(), static_cast<off_t>(size_)) != 0)
      return failed("truncate", errno);
    if (sync_failed_ && options_.sync_fn(file_->fd()) != 0) return failed("fdatasync", errno);
  }
  failure_.clear();
  sync_failed_ = false;
  healthy_.store(true, std::memory_order_relaxed);
  return {};
}

Status Writer::sync() {
  std::lock_guard lock(mu_);
  if (!failure_.empty()) {
    if (auto s = recover(); !s) return s;
  }
  if (!file_) return {};
  if (options_.sync_fn(file_->fd()) != 0) return failed("fdatasync", errno);
  dirty_ = false;
  return {};
}

Status Writer::failed(const char* op, int err, const std::string& path) {
  failure_ = "audit trail not writable: " + errno_text(err);
  healthy_.store(false, std::memory_order_relaxed);
  if (std::string_view(op) == "fdatasync") sync_failed_ = true;
  const char* code = err == ENOSPC || err == EDQUOT ? kDiskFull : kIoError;
  const std::string& where = !path.empty() ? path : file_ ? file_->path() : options_.dir;
  return fail(code, failure_, std::string(op) + " " + where + ": " + errno_text(err));
}

void Writer::sync_loop(std::stop_token stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    wake_.wait_for(lock, stop, options_.fsync_interval, [] { return false; });
    if (!dirty_ || !file_ || !failure_.empty()) continue;
    // fdatasync outside the lock so appends go on meanwhile; `file` keeps the descriptor
    // open even if a rotation replaces file_ in the meantime.
    std::shared_ptr<File> file = file_;
    dirty_ = false;
    lock.unlock();
    const int rc = options_.sync_fn(file->fd());
    const int err = errno;
    lock.lock();
    if (rc != 0 && failure_.empty()) (void)failed("fdatasync", err);
  }
}

}  // namespace airlock::audit
