#pragma once
// Internal to the audit writer: an owned file descriptor and the POSIX calls around it.
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "audit/writer.hpp"

namespace airlock::audit {

class Writer::File {
 public:
  File(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

namespace detail {
// O_APPEND, 0600 (records may hold statements and client addresses). -1 with errno set.
inline int open_for_append(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}
// A new file's directory entry is durable only once the directory is synced.
inline int sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc;
}
}  // namespace detail

}  // namespace airlock::audit
