#include "audit/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace airlock::audit {
namespace {

constexpr std::string_view kPrefix = "audit-";
constexpr std::string_view kSuffix = ".jsonl";
constexpr std::size_t kDigits = 20;  // UINT64_MAX has 20 digits

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status pread_all(int fd, char* out, std::size_t n, std::uint64_t at, const std::string& path) {
  while (n > 0) {
    const ssize_t got = ::pread(fd, out, n, static_cast<off_t>(at));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      return fail(sqlstate::kInternalError,
                  "cannot read " + path + ": " + (got < 0 ? errno_text(errno) : "short file"));
    }
    out += got;
    n -= static_cast<std::size_t>(got);
    at += static_cast<std::uint64_t>(got);
  }
  return {};
}

}  // namespace

std::string errno_text(int err) {
  char buf[128];
  // GNU strerror_r returns the message (maybe not in buf).
  return ::strerror_r(err, buf, sizeof buf);
}

std::string file_name(std::uint64_t first_seq) {
  std::string digits = std::to_string(first_seq);
  return std::string(kPrefix) + std::string(kDigits - digits.size(), '0') + digits +
         std::string(kSuffix);
}

std::optional<std::uint64_t> parse_file_name(std::string_view name) {
  if (name.size() != kPrefix.size() + kDigits + kSuffix.size() || !name.starts_with(kPrefix) ||
      !name.ends_with(kSuffix))
    return std::nullopt;
  const std::string_view digits = name.substr(kPrefix.size(), kDigits);
  std::uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - d) / 10) return std::nullopt;
    value = value * 10 + d;
  }
  if (value == 0) return std::nullopt;  // seq starts at 1
  return value;
}

Result<Listing> list_files(const std::string& dir) {
  Listing out;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return out;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return fail(sqlstate::kInternalError, "cannot list " + dir + ": " + ec.message());
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("audit") || !name.ends_with(kSuffix)) continue;
    if (auto seq = parse_file_name(name)) {
      out.files.push_back(TrailFile{*seq, name, entry.path().string()});
    } else {
      out.misnamed.push_back(name);
    }
  }
  std::sort(out.files.begin(), out.files.end(),
            [](const TrailFile& a, const TrailFile& b) { return a.first_seq < b.first_seq; });
  std::sort(out.misnamed.begin(), out.misnamed.end());
  return out;
}

Result<Tail> read_tail(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0)
    return fail(sqlstate::kInternalError, "cannot open " + path + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return fail(sqlstate::kInternalError, "cannot stat " + path + ": " + errno_text(errno));
  Tail tail;
  tail.size = static_cast<std::uint64_t>(st.st_size);
  // Read backwards in chunks until the newline ending the last complete line and the one
  // before it (or the start of the file) are both in `window`.
  constexpr std::size_t kChunk = 64 * 1024;
  std::string window;  // bytes [window_start, size)
  std::uint64_t window_start = tail.size;
  std::optional<std::uint64_t> last_newline;
  while (window_start > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, window_start));
    window_start -= n;
    std::string chunk(n, '\0');
    if (auto s = pread_all(fd.get(), chunk.data(), n, window_start, path); !s)
      return std::unexpected(s.error());
    window.insert(0, chunk);
    if (!last_newline) {
      const auto pos = window.rfind('\n');
      if (pos == std::string::npos) continue;
      last_newline = window_start + pos;
    }
    const std::size_t end = static_cast<std::size_t>(*last_newline - window_start);
    const auto before = end == 0 ? std::string::npos : window.rfind('\n', end - 1);
    if (before != std::string::npos || window_start == 0) {
      const std::size_t begin = before == std::string::npos ? 0 : before + 1;
      tail.last_line = window.substr(begin, end - begin);
      tail.last_offset = window_start + begin;
      break;
    }
  }
  tail.good_size = last_newline ? *last_newline + 1 : 0;
  return tail;
}

LineReader::LineReader(const std::string& path, std::uint64_t offset, std::uint64_t first_line_no)
    : line_no_(first_line_no - 1), offset_(offset), next_offset_(offset) {
  file_ = std::fopen(path.c_str(), "rbe");
  if (file_ != nullptr && offset > 0 &&
      ::fseeko(file_, static_cast<off_t>(offset), SEEK_SET) != 0) {
    std::fclose(file_);
    file_ = nullptr;
  }
}

LineReader::~LineReader() {
  if (file_ != nullptr) std::fclose(file_);
  std::free(buf_);
}

bool LineReader::next(std::string_view& line, bool& complete) {
  if (file_ == nullptr) return false;
  const ssize_t n = ::getline(&buf_, &cap_, file_);
  if (n <= 0) return false;
  offset_ = next_offset_;
  next_offset_ += static_cast<std::uint64_t>(n);
  ++line_no_;
  complete = buf_[n - 1] == '\n';
  line = std::string_view(buf_, static_cast<std::size_t>(complete ? n - 1 : n));
  return true;
}

}  // namespace airlock::audit
