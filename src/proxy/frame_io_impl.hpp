#pragma once
// Template implementation of with_deadline(); included by frame_io.hpp only.
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <string>

namespace airlock::proxy {

template <class T>
net::awaitable<Result<T>> with_deadline(net::awaitable<Result<T>> op, net::Stream& s,
                                        std::chrono::milliseconds timeout, const char* what) {
  using namespace boost::asio::experimental::awaitable_operators;
  net::asio::steady_timer timer(co_await net::asio::this_coro::executor, timeout);
  auto outcome = co_await (std::move(op) || timer.async_wait(net::nothrow));
  if (outcome.index() == 0) co_return std::move(std::get<0>(outcome));
  s.close();
  co_return fail(sqlstate::kConnectionFailure, std::string("airlock: timeout during ") + what);
}

}  // namespace airlock::proxy
