#include "net/connect.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

namespace airlock::net {

using namespace boost::asio::experimental::awaitable_operators;

namespace {

awaitable<error_code> connect_any(tcp::socket& sock, std::string host, std::uint16_t port) {
  error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (!ec) {
    auto [cec] = co_await sock.async_connect(tcp::endpoint(addr, port), nothrow);
    co_return cec;
  }
  tcp::resolver resolver(sock.get_executor());
  auto [rec, results] = co_await resolver.async_resolve(host, std::to_string(port), nothrow);
  if (rec) co_return rec;
  auto [cec, ep] = co_await asio::async_connect(sock, results, nothrow);
  co_return cec;
}

awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(nothrow);
}

}  // namespace

awaitable<Result<tcp::socket>> connect_tcp(std::string host, std::uint16_t port,
                                           std::chrono::milliseconds timeout) {
  tcp::socket sock(co_await asio::this_coro::executor);
  const std::string where = host + ":" + std::to_string(port);
  auto outcome = co_await (connect_any(sock, host, port) || sleep_for(timeout));
  if (outcome.index() == 1) {
    co_return fail(sqlstate::kCannotConnect, "could not connect to upstream " + where + ": timeout");
  }
  const error_code ec = std::get<0>(outcome);
  if (ec) {
    co_return fail(sqlstate::kCannotConnect,
                   "could not connect to upstream " + where + ": " + ec.message());
  }
  sock.set_option(tcp::no_delay(true));
  co_return sock;
}

}  // namespace airlock::net
