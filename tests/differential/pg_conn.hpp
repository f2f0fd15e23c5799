#pragma once
// A blocking PostgreSQL v3 connection over a unix socket, for test tools only: trust
// authentication, whole messages out, one decoded message at a time in. Every read has a
// deadline, so a message the server never sends ends the tool instead of hanging it.
#include <string>
#include <string_view>

#include "protocol/frame.hpp"

namespace airlock::differential {

class PgConn {
 public:
  PgConn() = default;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;
  ~PgConn();

  // Connects to <dir>/.s.PGSQL.<port>, sends the StartupMessage and reads up to the first
  // ReadyForQuery. False (and error()) on any failure.
  bool open(const std::string& dir, int port, const std::string& user, const std::string& db);
  void close();

  bool send(std::string_view bytes);
  // The next message; views into an internal buffer valid until the next call. False on a
  // closed connection, a malformed message or no message within `timeout_ms`.
  bool next(protocol::Frame& out, int timeout_ms = 10000);

  const std::string& error() const { return error_; }

 private:
  bool fill(int timeout_ms);

  int fd_ = -1;
  std::string in_;
  std::size_t consumed_ = 0;  // bytes of in_ already returned as frames
  std::string error_;
};

}  // namespace airlock::differential
