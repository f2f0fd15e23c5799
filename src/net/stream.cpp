#include "net/stream.hpp"

#include <boost/asio/ssl/host_name_verification.hpp>

namespace airlock::net {

awaitable<std::tuple<error_code, std::size_t>> Stream::read_some(asio::mutable_buffer b) {
  if (tls_) co_return co_await tls_->async_read_some(b, nothrow);
  if (auto* t = std::get_if<tcp::socket>(&sock_)) co_return co_await t->async_read_some(b, nothrow);
  co_return co_await std::get<asio::local::stream_protocol::socket>(sock_).async_read_some(
      b, nothrow);
}

awaitable<std::tuple<error_code, std::size_t>> Stream::write_all(asio::const_buffer b) {
  if (tls_) co_return co_await asio::async_write(*tls_, b, nothrow);
  if (auto* t = std::get_if<tcp::socket>(&sock_)) co_return co_await asio::async_write(*t, b, nothrow);
  co_return co_await asio::async_write(std::get<asio::local::stream_protocol::socket>(sock_), b,
                                       nothrow);
}

awaitable<error_code> Stream::server_tls(asio::ssl::context& ctx) {
  auto* t = std::get_if<tcp::socket>(&sock_);
  if (t == nullptr) co_return asio::error::operation_not_supported;
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(*t, ctx);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, nothrow);
  co_return ec;
}

awaitable<error_code> Stream::client_tls(asio::ssl::context& ctx, const std::string& server_name) {
  auto* t = std::get_if<tcp::socket>(&sock_);
  if (t == nullptr) co_return asio::error::operation_not_supported;
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(*t, ctx);
  if (!server_name.empty()) {
    SSL_set_tlsext_host_name(tls_->native_handle(), server_name.c_str());
    tls_->set_verify_callback(asio::ssl::host_name_verification(server_name));
  }
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::client, nothrow);
  co_return ec;
}

void Stream::close() {
  error_code ec;
  std::visit([&](auto& s) { s.close(ec); }, sock_);
}

bool Stream::is_open() const {
  return std::visit([](const auto& s) { return s.is_open(); }, sock_);
}

asio::any_io_executor Stream::executor() {
  return std::visit([](auto& s) -> asio::any_io_executor { return s.get_executor(); }, sock_);
}

std::string Stream::peer_address() const {
  if (const auto* t = std::get_if<tcp::socket>(&sock_)) {
    error_code ec;
    auto ep = t->remote_endpoint(ec);
    if (ec) return "unknown";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
  }
  return "unix";
}

}  // namespace airlock::net
