// The client side of `airlock mcp stdio`: Beast over one keep-alive connection, driven one
// request at a time (each exchange runs the io_context to completion, so the bridge is
// synchronous; the async operations are there for the per-request deadline).
#include "mcp/stdio_bridge.hpp"

#include <poll.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>

#include "http/client_tls.hpp"
#include "http/url.hpp"
#include "mcp/stdio_messages.hpp"
#include "net/asio.hpp"

namespace airlock::mcp {

namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using net::awaitable;
using net::error_code;
using net::nothrow;
using net::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxLineBytes = 64ull << 20;       // one message from the client
constexpr std::size_t kMaxResponseBytes = 256ull << 20;  // one answer from the server
constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;

struct Exchange {
  error_code ec;
  const char* step = "";
  bool answered = false;   // a response arrived; `response` holds it
  bool got_bytes = false;  // some of a response arrived before the error
  bhttp::response<bhttp::string_body> response;
};

class Client {
 public:
  Client(http::Url url, std::unique_ptr<ssl::context> tls, std::chrono::milliseconds timeout)
      : url_(std::move(url)), tls_(std::move(tls)), timeout_(timeout) {}

  // Sends `request` and reads the answer; on a kept-alive connection the server may have
  // closed in between, so a connection that breaks before any answer byte is reopened and
  // the request sent once more.
  std::expected<bhttp::response<bhttp::string_body>, std::string> send(
      bhttp::request<bhttp::string_body>& request) {
    std::optional<std::expected<bhttp::response<bhttp::string_body>, std::string>> result;
    ioc_.restart();
    asio::co_spawn(ioc_, send_async(request),
                   [&](std::exception_ptr e,
                       std::expected<bhttp::response<bhttp::string_body>, std::string> r) {
                     if (e) {
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& ex) {
                         result = std::unexpected(std::string(ex.what()));
                       }
                     } else {
                       result = std::move(r);
                     }
                   });
    ioc_.run();
    if (!result) {
      close();
      return std::unexpected(std::string("the request was abandoned"));
    }
    return std::move(*result);
  }

 private:
  awaitable<std::expected<bhttp::response<bhttp::string_body>, std::string>> send_async(
      bhttp::request<bhttp::string_body>& request) {
    const auto deadline = Clock::now() + timeout_;
    for (int attempt = 0;; ++attempt) {
      if (open_ && closed_by_peer()) close();  // the usual case: idle too long, closed
      const bool reused = open_;
      if (!open_) {
        if (auto failed = co_await connect(deadline)) co_return std::unexpected(*failed);
      }
      // Not `tls_ ? co_await ... : co_await ...`: GCC 12 destroys that temporary twice.
      Exchange x;
      if (tls_) {
        x = co_await exchange(*secure_, request, deadline);
      } else {
        x = co_await exchange(*plain_, request, deadline);
      }
      if (x.answered) {
        if (!x.response.keep_alive()) close();
        co_return std::move(x.response);
      }
      close();
      if (reused && attempt == 0 && !x.got_bytes && dropped(x.ec)) continue;
      co_return std::unexpected(describe(x.step, x.ec));
    }
  }

  // nullopt when connected; else why not.
  awaitable<std::optional<std::string>> connect(Clock::time_point deadline) {
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    auto [rec, endpoints] =
        co_await resolver.async_resolve(url_.host, std::to_string(url_.port), nothrow);
    if (rec) co_return describe("resolving the host", rec);
    beast::tcp_stream stream(executor);
    stream.expires_at(deadline);
    auto [cec, endpoint] = co_await stream.async_connect(endpoints, nothrow);
    if (cec) co_return describe("connecting", cec);
    error_code ignored;
    stream.socket().set_option(tcp::no_delay(true), ignored);
    if (!tls_) {
      plain_.emplace(std::move(stream));
    } else {
      secure_.emplace(std::move(stream), *tls_);
      http::verify_server_name(*secure_, url_.host);
      auto [hec] = co_await secure_->async_handshake(ssl::stream_base::client, nothrow);
      if (hec) {
        secure_.reset();
        co_return describe("TLS handshake", hec);
      }
    }
    open_ = true;
    buffer_.clear();
    co_return std::nullopt;
  }

  template <class Stream>
  awaitable<Exchange> exchange(Stream& stream, bhttp::request<bhttp::string_body>& request,
                               Clock::time_point deadline) {
    Exchange x;
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [wec, written] = co_await bhttp::async_write(stream, request, nothrow);
    if (wec) {
      x.ec = wec;
      x.step = "sending the request";
      co_return x;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxResponseBytes);
    auto [rec, read] = co_await bhttp::async_read(stream, buffer_, parser, nothrow);
    if (rec) {
      x.ec = rec;
      x.step = "reading the answer";
      x.got_bytes = parser.got_some() || buffer_.size() > 0;
      co_return x;
    }
    x.answered = true;
    x.response = parser.release();
    co_return x;
  }

  // An idle HTTP/1.1 connection has nothing to read unless the server closed it (FIN or a
  // TLS close_notify) or broke it.
  bool closed_by_peer() {
    tcp::socket& socket = tls_ ? beast::get_lowest_layer(*secure_).socket() : plain_->socket();
    pollfd p{socket.native_handle(), POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
  }

  // The server closed a kept-alive connection (idle timeout, restart) before answering.
  static bool dropped(const error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::error::connection_aborted || ec == asio::ssl::error::stream_truncated;
  }

  std::string describe(const char* step, const error_code& ec) const {
    std::string what = ec == beast::error::timeout
                           ? "no answer within " + std::to_string(timeout_.count()) + " ms"
                           : ec.message();
    return std::string(step) + " (" + http::origin_text(url_) + "): " + what;
  }

  void close() {
    error_code ignored;
    if (plain_) plain_->socket().close(ignored);
    if (secure_) beast::get_lowest_layer(*secure_).socket().close(ignored);
    plain_.reset();
    secure_.reset();
    buffer_.clear();
    open_ = false;
  }

  http::Url url_;
  std::unique_ptr<ssl::context> tls_;
  std::chrono::milliseconds timeout_;
  asio::io_context ioc_{1};  // before the streams bound to it: destroyed last
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure_;
  beast::flat_buffer buffer_;
  bool open_ = false;
};

class Bridge {
 public:
  Bridge(const StdioBridgeOptions& o, http::Url url, std::unique_ptr<ssl::context> tls)
      : o_(o), url_(url), client_(std::move(url), std::move(tls), o.timeout) {}

  int run() {
    std::string line;
    for (;;) {
      const stdio::LineRead got = stdio::read_line(*o_.in, line, kMaxLineBytes);
      if (got == stdio::LineRead::End) return 0;
      if (got == stdio::LineRead::TooLong) {
        note("a message longer than " + std::to_string(kMaxLineBytes) + " bytes was dropped");
        if (!write(stdio::error_line(nullptr, stdio::kInvalidRequest,
                                     "Invalid Request: the message is longer than " +
                                         std::to_string(kMaxLineBytes) + " bytes"))) {
          return 1;
        }
        continue;
      }
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (!forward(line)) return 1;
    }
  }

 private:
  // false when stdout failed.
  bool forward(const std::string& line) {
    const stdio::Outgoing message = stdio::inspect(line);
    bhttp::request<bhttp::string_body> request{bhttp::verb::post, url_.target, 11};
    request.set(bhttp::field::host, http::host_header(url_));
    request.set(bhttp::field::user_agent, o_.user_agent);
    request.set(bhttp::field::content_type, "application/json");
    request.set(bhttp::field::accept, "application/json, text/event-stream");
    request.set(bhttp::field::authorization, "Bearer " + o_.token);
    const stdio::McpHeaders h = stdio::mcp_headers(message, negotiated_);
    if (h.protocol_version) request.set("MCP-Protocol-Version", *h.protocol_version);
    if (h.method) request.set("Mcp-Method", *h.method);
    if (h.name) request.set("Mcp-Name", *h.name);
    // A new handshake starts a new session (as @modelcontextprotocol/client 2.x does).
    if (message.method == "initialize") session_.reset();
    if (session_ && !h.method) request.set("Mcp-Session-Id", *session_);  // legacy era only
    request.keep_alive(true);
    request.body() = line;
    request.prepare_payload();

    auto response = client_.send(request);
    stdio::Translation t;
    if (!response) {
      t = stdio::transport_failure(message,
                                   "the request to the MCP server failed: " + response.error());
    } else {
      const auto& r = *response;
      if (auto sid = r.find("Mcp-Session-Id");
          sid != r.end() && stdio::plain_header_value(sid->value()) && !sid->value().empty()) {
        session_ = std::string(sid->value());
      }
      stdio::HttpAnswer answer;
      answer.status = static_cast<int>(r.result_int());
      answer.content_type = std::string(r[bhttp::field::content_type]);
      answer.body = r.body();
      t = stdio::translate(message, answer);
    }
    if (!t.note.empty()) note(t.note);
    for (const std::string& out : t.lines) {
      if (message.method == "initialize") {
        if (auto v = stdio::negotiated_version(out)) negotiated_ = std::move(*v);
      }
      if (!write(out)) return false;
    }
    return true;
  }

  bool write(const std::string& line) {
    *o_.out << line << '\n';
    o_.out->flush();
    return static_cast<bool>(*o_.out);
  }

  void note(const std::string& text) {
    if (o_.err == nullptr) return;
    *o_.err << "airlock mcp stdio: " << text << '\n';
    o_.err->flush();
  }

  const StdioBridgeOptions& o_;
  http::Url url_;
  Client client_;
  std::optional<std::string> negotiated_;  // result.protocolVersion of the last initialize
  std::optional<std::string> session_;     // Mcp-Session-Id, if the server ever sends one
};

}  // namespace

int run_stdio_bridge(const StdioBridgeOptions& options) {
  auto say = [&](const std::string& text) {
    if (options.err != nullptr) *options.err << "airlock mcp stdio: " << text << '\n';
  };
  for (const char c : options.token) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      say("the token contains control characters: it cannot go into an HTTP header");
      return 2;
    }
  }
  auto url = http::parse_url(options.server_url, "--server URL");
  if (!url) {
    say(url.error().message);
    return 2;
  }
  std::unique_ptr<ssl::context> tls;
  if (url->tls) {
    auto ctx = http::make_verifying_client_tls(options.ca_file, "TLS");
    if (!ctx) {
      say(ctx.error().message);
      return 2;
    }
    tls = std::move(*ctx);
  }
  Bridge bridge(options, *url, std::move(tls));
  return bridge.run();
}

}  // namespace airlock::mcp
