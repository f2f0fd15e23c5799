// The only Beast code on the server side: accept, read one bounded request at a time, hand it
// to the Router, write the answer.
#include "http/admin_server.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>
#include <thread>

#include "net/asio.hpp"

namespace airlock::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using net::awaitable;
using net::error_code;
using net::nothrow;
using net::tcp;

struct AdminServer::Impl {
  explicit Impl(AdminOptions o) : options(std::move(o)), router(options.routes) {}

  awaitable<void> accept_loop();
  awaitable<void> serve(tcp::socket socket);
  awaitable<void> await_readiness();
  awaitable<void> reply(beast::tcp_stream& stream, const Response& answer, unsigned version,
                        bool keep_alive);

  AdminOptions options;
  Router router;
  // Declared before everything bound to it, so that it is destroyed last.
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::size_t connections = 0;  // touched on the admin thread only
  std::uint16_t port = 0;
  bool started = false;
};

namespace {

// Why a request could not be read, as the status answered before closing (0: just close).
int status_for_read_error(const error_code& ec) {
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return 0;
  // Any other parser error: the bytes were not HTTP/1.x as Beast understands it.
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) return 400;
  return 0;  // timeout or socket error: nobody left to answer
}

}  // namespace

awaitable<void> AdminServer::Impl::await_readiness() {
  // Polled rather than signalled: the refresh runs on a gateway thread, which then needs
  // nothing that belongs to this listener (which may be stopped meanwhile).
  if (!options.readiness_current || options.readiness_current()) co_return;
  const auto until = std::chrono::steady_clock::now() + options.readiness_wait;
  asio::steady_timer tick(ioc);
  while (std::chrono::steady_clock::now() < until) {
    tick.expires_after(std::chrono::milliseconds(10));
    co_await tick.async_wait(nothrow);
    if (options.readiness_current()) co_return;
  }
}

awaitable<void> AdminServer::Impl::reply(beast::tcp_stream& stream, const Response& answer,
                                         unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), version};
  res.set(bhttp::field::server, "airlock");
  res.set(bhttp::field::content_type, answer.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  for (const auto& [name, value] : answer.headers) res.set(name, value);
  res.body() = answer.body;
  res.keep_alive(keep_alive);
  res.prepare_payload();
  stream.expires_after(options.write_timeout);
  co_await bhttp::async_write(stream, res, nothrow);
}

awaitable<void> AdminServer::Impl::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(options.max_header_bytes + options.max_body_bytes);
  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    parser.body_limit(options.max_body_bytes);
    stream.expires_after(options.read_timeout);
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, nothrow);
    if (ec) {
      if (int status = status_for_read_error(ec); status != 0) {
        co_await reply(stream, Response::text(status, ec.message() + "\n"), 11, false);
      }
      break;
    }
    const auto& req = parser.get();
    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.authorization = std::string(req[bhttp::field::authorization]);
    request.body = req.body();
    if (request.method == "GET" && request.target.substr(0, request.target.find('?')) == "/readyz") {
      co_await await_readiness();
    }
    Response answer = router.handle(request);
    const bool keep_alive = req.keep_alive();
    co_await reply(stream, answer, req.version(), keep_alive);
    if (!keep_alive || !stream.socket().is_open()) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

awaitable<void> AdminServer::Impl::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(nothrow);
    if (!acceptor.is_open()) co_return;
    if (ec) {
      // EMFILE and friends: wait instead of spinning; the listener stays up.
      spdlog::warn("admin: accept failed: {}", ec.message());
      asio::steady_timer pause(ioc, std::chrono::milliseconds(100));
      co_await pause.async_wait(nothrow);
      continue;
    }
    if (connections >= options.max_connections) {
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++connections;
    asio::co_spawn(ioc, serve(std::move(socket)), [this](std::exception_ptr e) {
      --connections;
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("admin: connection failed: {}", ex.what());
      } catch (...) {
        spdlog::error("admin: connection failed");
      }
    });
  }
}

AdminServer::AdminServer(AdminOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

AdminServer::~AdminServer() { stop(); }

Status AdminServer::start() {
  Impl& s = *impl_;
  if (s.started) return fail(sqlstate::kInternalError, "admin listener already started");
  const std::string where = s.options.host + ":" + std::to_string(s.options.port);
  error_code ec;
  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(s.options.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, s.options.port);
  } else {
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(s.options.host, std::to_string(s.options.port),
                                    tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return fail(sqlstate::kInternalError, "admin listener: cannot resolve " + where + ": " +
                                                (ec ? ec.message() : "no address"));
    }
    endpoint = results.begin()->endpoint();
  }
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    s.acceptor.close(ignored);
    return fail(sqlstate::kInternalError,
                "admin listener: cannot listen on " + where + ": " + ec.message());
  }
  s.port = s.acceptor.local_endpoint(ec).port();
  s.started = true;
  asio::co_spawn(s.ioc, s.accept_loop(), asio::detached);
  s.thread = std::thread([&s] {
    pthread_setname_np(pthread_self(), "airlock-admin");
    s.ioc.run();
  });
  return {};
}

void AdminServer::stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  // Closing the acceptor ends accept_loop; stopping the context abandons the connections,
  // whose coroutine frames (and sockets) are destroyed with the io_context.
  asio::post(s.ioc, [&s] {
    error_code ignored;
    s.acceptor.close(ignored);
    s.ioc.stop();
  });
  s.thread.join();
}

std::uint16_t AdminServer::port() const { return impl_->port; }

}  // namespace airlock::http
