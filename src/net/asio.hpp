#pragma once
// The one place Asio is included for the net and proxy modules, with the completion
// tokens Airlock uses: coroutines that report errors as values (no exceptions on the
// data path).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace airlock::net {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
template <class T>
using awaitable = asio::awaitable<T>;

// Completion token: `auto [ec, n] = co_await sock.async_read_some(buf, nothrow);`
inline constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

}  // namespace airlock::net
