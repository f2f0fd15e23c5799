#include "pg_conn.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"

namespace airlock::differential {

namespace {
constexpr std::size_t kMaxMessage = 1 << 24;
}

PgConn::~PgConn() { close(); }

void PgConn::close() {
  if (fd_ >= 0) {
    std::string bye;
    protocol::append_terminate(bye);
    (void)::send(fd_, bye.data(), bye.size(), MSG_NOSIGNAL);  // the server may be gone
    ::close(fd_);
  }
  fd_ = -1;
  in_.clear();
  consumed_ = 0;
}

bool PgConn::open(const std::string& dir, int port, const std::string& user,
                  const std::string& db) {
  close();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = dir + "/.s.PGSQL." + std::to_string(port);
  if (path.size() >= sizeof(addr.sun_path)) {
    error_ = "socket path too long: " + path;
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error_ = "connect " + path + ": " + std::strerror(errno);
    close();
    return false;
  }
  std::string out;
  protocol::append_startup(out, {{"user", user}, {"database", db}});
  if (!send(out)) return false;
  protocol::Frame f;
  while (next(f)) {
    if (f.type == 'E') {
      const auto e = protocol::parse_error(f);
      error_ = "startup refused: " + std::string(e ? e->message : "?");
      return false;
    }
    if (f.type == 'R') {
      const auto a = protocol::parse_auth_request(f);
      if (!a || a->code != protocol::AuthCode::Ok) {
        error_ = "the server asks for a password: use trust authentication";
        return false;
      }
    }
    if (f.type == 'Z') return true;
  }
  return false;
}

bool PgConn::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool PgConn::fill(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  const int r = ::poll(&p, 1, timeout_ms);
  if (r == 0) {
    error_ = "no answer from the server within " + std::to_string(timeout_ms) + " ms";
    return false;
  }
  if (r < 0) {
    error_ = std::string("poll: ") + std::strerror(errno);
    return false;
  }
  char buf[65536];
  const ssize_t n = ::read(fd_, buf, sizeof buf);
  if (n <= 0) {
    error_ = n == 0 ? "the server closed the connection (a backend crash shows in its log)"
                    : std::strerror(errno);
    return false;
  }
  in_.append(buf, static_cast<std::size_t>(n));
  return true;
}

bool PgConn::next(protocol::Frame& out, int timeout_ms) {
  if (fd_ < 0) return false;
  if (consumed_ > 0) {
    in_.erase(0, consumed_);
    consumed_ = 0;
  }
  for (;;) {
    switch (protocol::decode_typed(in_, kMaxMessage, out)) {
      case protocol::DecodeStatus::Ready:
        consumed_ = out.size;
        return true;
      case protocol::DecodeStatus::Invalid:
        error_ = "malformed message from the server";
        return false;
      case protocol::DecodeStatus::NeedMore:
        if (!fill(timeout_ms)) return false;
    }
  }
}

}  // namespace airlock::differential
