#pragma once
// A byte stream to a peer: plain TCP, TLS over TCP, or a unix socket. Sessions hold one
// for the client and one for upstream and never care which kind it is.
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <string>
#include <variant>

#include "net/asio.hpp"

namespace airlock::net {

class Stream {
 public:
  explicit Stream(tcp::socket s) : sock_(std::move(s)) {}
  explicit Stream(asio::local::stream_protocol::socket s) : sock_(std::move(s)) {}

  awaitable<std::tuple<error_code, std::size_t>> read_some(asio::mutable_buffer b);
  awaitable<std::tuple<error_code, std::size_t>> write_all(asio::const_buffer b);

  // TLS handshakes. After server_tls() succeeds every byte goes through TLS; a failure
  // leaves the stream unusable (the caller closes it).
  awaitable<error_code> server_tls(asio::ssl::context& ctx);
  awaitable<error_code> client_tls(asio::ssl::context& ctx, const std::string& server_name);

  bool is_tls() const { return tls_ != nullptr; }
  bool is_unix() const { return std::holds_alternative<asio::local::stream_protocol::socket>(sock_); }
  // Closes the socket at once: pending operations complete with operation_aborted.
  void close();
  bool is_open() const;
  asio::any_io_executor executor();
  std::string peer_address() const;  // "ip:port", or "unix"

 private:
  std::variant<tcp::socket, asio::local::stream_protocol::socket> sock_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
};

}  // namespace airlock::net
