// The only Beast code of the MCP server: accept, read one bounded request at a time, check
// Host, Origin and the bearer, hand the body to the Dispatcher, write its answer.
#include "mcp/http_listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <unordered_set>
#include <variant>

#include "http/bearer.hpp"
#include "mcp/bearer_auth.hpp"
#include "mcp/dispatch.hpp"
#include "mcp/gateway_backend.hpp"
#include "mcp/http_checks.hpp"
#include "net/tls.hpp"
#include "proxy/guard_text.hpp"

namespace airlock::mcp {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using net::awaitable;
using net::error_code;
using net::nothrow;
using net::tcp;

namespace {

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(30);
constexpr auto kWriteTimeout = std::chrono::seconds(30);
constexpr std::size_t kMaxConnections = 1024;

std::optional<std::string> header(const bhttp::request<bhttp::string_body>& req,
                                  std::string_view name) {
  auto it = req.find(name);
  if (it == req.end()) return std::nullopt;
  return std::string(it->value());
}

}  // namespace

struct McpListener::Impl : std::enable_shared_from_this<McpListener::Impl> {
  explicit Impl(std::string v) : version(std::move(v)) {}

  awaitable<void> accept_loop();
  template <class Stream>
  awaitable<void> serve(Stream& stream, std::size_t io, std::string peer);
  std::variant<Reply, Caller> admit(const bhttp::request<bhttp::string_body>& req, std::size_t io,
                                    const std::string& peer, std::optional<std::string>& origin);
  awaitable<Reply> dispatch(const Caller& caller, const bhttp::request<bhttp::string_body>& req);
  void close_all();
  awaitable<void> sweep_loop(std::size_t io);

  std::string version;
  proxy::Server* server = nullptr;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::shared_ptr<asio::ssl::context> tls;
  bool loopback = true;  // the listener is on a loopback address: Host must name it
  std::unique_ptr<BearerAuth> auth;
  std::unique_ptr<GatewayBackend> backend;
  std::unique_ptr<Dispatcher> dispatcher;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopped{false};
  // Open sockets per I/O thread (touched on that thread only), closed by stop().
  std::vector<std::unordered_set<tcp::socket*>> open;
};

// Everything decided from the request line and headers, before a byte of the body is read:
// path, Host, Origin, CORS preflight, method, and the bearer. Either the answer, or who is
// calling (then the body is read and dispatched).
std::variant<Reply, Caller> McpListener::Impl::admit(const bhttp::request<bhttp::string_body>& req,
                                                     std::size_t io, const std::string& peer,
                                                     std::optional<std::string>& origin) {
  auto snap = server->services().snapshot();
  const config::Mcp& cfg = snap->config->mcp;
  const std::string target(req.target());
  if (target.substr(0, target.find('?')) != "/mcp") return http_error(404, "not found: use /mcp");
  // DNS rebinding: a page from another origin that resolves its name to this address.
  if (!host_allowed(header(req, "Host"), loopback)) return http_error(403, "Host header not allowed");
  origin = header(req, "Origin");
  if (!origin_allowed(origin, cfg.allowed_origins)) {
    origin.reset();
    return http_error(403, "Origin not allowed (mcp.allowed_origins)");
  }
  // A browser client (the MCP Inspector's direct mode) asks first; no bearer on a preflight.
  if (req.method() == bhttp::verb::options && origin) return preflight(*origin);
  if (req.method() != bhttp::verb::post) {
    Reply r = http_error(405, "only POST is served: Airlock keeps no server-to-client stream");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  const std::string address = peer.substr(0, peer.rfind(':'));
  const auto now = BearerAuth::Clock::now();
  if (!auth->may_try(address, now, cfg.auth_failures)) {
    Reply r = http_error(429, "too many failed bearer secrets from this address; wait 10 s");
    r.headers.emplace_back("Retry-After", "10");
    return r;
  }
  // The same work for a missing, wrong or right secret the first time (bearer_auth.hpp).
  const std::string secret(http::bearer_token(std::string_view(req[bhttp::field::authorization])));
  auto who = auth->identify(*snap->config, snap->generation, secret,
                            server->services().store.get(), proxy::now_ms());
  if (!who) {
    auth->failed(address, now);
    server->services().counters.auth_failures.fetch_add(1, std::memory_order_relaxed);
    Reply r = http_error(401, "a valid bearer secret is required: Authorization: Bearer <the agent's password or token>");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"airlock-mcp\"");
    return r;
  }
  Caller caller;
  caller.agent = who->agent;
  caller.user = who->user;
  caller.secret = secret;
  caller.secret_key = auth->key_of(secret);
  caller.client = peer;
  caller.io = io;
  return caller;
}

awaitable<Reply> McpListener::Impl::dispatch(const Caller& caller,
                                             const bhttp::request<bhttp::string_body>& req) {
  HttpMeta meta;
  meta.protocol_version = header(req, "MCP-Protocol-Version");
  meta.session_id = header(req, "Mcp-Session-Id");
  meta.method = header(req, "Mcp-Method");
  meta.name = header(req, "Mcp-Name");
  meta.accept = header(req, "Accept");
  meta.content_type = header(req, "Content-Type");
  co_return co_await dispatcher->handle(caller, meta, req.body());
}

namespace {

// Why a request could not be read, as an answer; nullopt: nobody is left to answer.
std::optional<Reply> read_failure(const error_code& ec, std::size_t max_body) {
  if (ec == bhttp::error::body_limit) {
    return http_error(413, "request body larger than mcp.max_request_bytes (" +
                               std::to_string(max_body) + ")");
  }
  if (ec == bhttp::error::header_limit) return http_error(431, "request headers too large");
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return std::nullopt;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
    return http_error(400, "malformed HTTP request");
  }
  return std::nullopt;
}

}  // namespace

template <class Stream>
awaitable<void> McpListener::Impl::serve(Stream& stream, std::size_t io, std::string peer) {
  auto self = shared_from_this();
  beast::flat_buffer buffer;
  for (;;) {
    const std::size_t max_body = server->services().snapshot()->config->mcp.max_request_bytes;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kMaxHeaderBytes));
    parser.body_limit(max_body);
    beast::get_lowest_layer(stream).expires_after(kReadTimeout);
    Reply reply;
    bool keep_alive = false;
    unsigned http_version = 11;
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser, nothrow);
    if (hec) {
      auto failure = read_failure(hec, max_body);
      if (!failure) break;
      reply = std::move(*failure);
    } else {
      const auto& req = parser.get();
      http_version = req.version();
      std::optional<std::string> origin;
      auto admitted = admit(req, io, peer, origin);
      if (auto* refused = std::get_if<Reply>(&admitted)) {
        // Answered without reading the body: the connection cannot be reused.
        reply = std::move(*refused);
      } else {
        auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, nothrow);
        if (bec) {
          auto failure = read_failure(bec, max_body);
          if (!failure) break;
          reply = std::move(*failure);
        } else {
          keep_alive = parser.get().keep_alive();
          try {
            reply = co_await dispatch(std::get<Caller>(admitted), parser.get());
          } catch (const std::exception& e) {
            spdlog::error("mcp: request failed: {}", e.what());
            reply = http_error(500, "internal error");
          }
        }
      }
      if (origin) add_cors(reply, *origin);
    }
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(reply.status), http_version};
    res.set(bhttp::field::server, "airlock");
    res.set(bhttp::field::cache_control, "no-store");
    for (const auto& [name, value] : reply.headers) res.set(name, value);
    res.body() = std::move(reply.body);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(kWriteTimeout);
    auto [wec, wn] = co_await bhttp::async_write(stream, res, nothrow);
    if (wec || !keep_alive) break;
  }
}

awaitable<void> McpListener::Impl::accept_loop() {
  auto self = shared_from_this();
  for (;;) {
    const std::size_t io = server->next_io();
    auto [ec, socket] = co_await acceptor->async_accept(server->io(io), nothrow);
    if (!acceptor->is_open()) co_return;
    if (ec) {
      spdlog::warn("mcp: accept failed: {}", ec.message());
      asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(nothrow);
      continue;
    }
    if (connections.load() >= kMaxConnections || server->services().draining.load()) {
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++connections;
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    asio::co_spawn(
        server->io(io),
        [self, io, s = std::move(socket)]() mutable -> awaitable<void> {
          error_code pec;
          auto ep = s.remote_endpoint(pec);
          std::string peer = pec ? "unknown" : ep.address().to_string() + ":" + std::to_string(ep.port());
          beast::tcp_stream tcp_stream(std::move(s));
          tcp::socket* raw = &tcp_stream.socket();
          self->open[io].insert(raw);
          struct Erase {
            Impl& impl;
            std::size_t io;
            tcp::socket* raw;
            ~Erase() {
              impl.open[io].erase(raw);
              --impl.connections;
            }
          } erase{*self, io, raw};
          if (!self->tls) {
            co_await self->serve(tcp_stream, io, peer);
            error_code sec;
            tcp_stream.socket().shutdown(tcp::socket::shutdown_send, sec);
            co_return;
          }
          beast::ssl_stream<beast::tcp_stream&> tls_stream(tcp_stream, *self->tls);
          tcp_stream.expires_after(kReadTimeout);
          auto [hec] = co_await tls_stream.async_handshake(asio::ssl::stream_base::server, nothrow);
          if (hec) co_return;
          co_await self->serve(tls_stream, io, peer);
          co_await tls_stream.async_shutdown(nothrow);
        },
        [](std::exception_ptr e) {
          if (!e) return;
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            spdlog::error("mcp: connection failed: {}", ex.what());
          }
        });
  }
}

awaitable<void> McpListener::Impl::sweep_loop(std::size_t io) {
  // Pooled sessions hold upstream connections and the agent's connection slots: closed
  // when idle past mcp.session_idle, or made under an older config, even with no calls.
  auto self = shared_from_this();
  asio::steady_timer tick(server->io(io));
  while (!stopped.load()) {
    tick.expires_after(std::chrono::seconds(1));
    co_await tick.async_wait(nothrow);
    if (!stopped.load()) backend->sweep(io);
  }
}

void McpListener::Impl::close_all() {
  stopped = true;
  error_code ec;
  if (acceptor) acceptor->close(ec);
  for (std::size_t io = 0; io < open.size(); ++io) {
    asio::post(server->io(io), [self = shared_from_this(), io] {
      for (tcp::socket* s : self->open[io]) {
        error_code ignored;
        s->close(ignored);
      }
      self->backend->close_all(io);
    });
  }
}

McpListener::McpListener(std::string version) : impl_(std::make_shared<Impl>(std::move(version))) {}

McpListener::~McpListener() = default;

Status McpListener::start(proxy::Server& server) {
  Impl& s = *impl_;
  auto snap = server.services().snapshot();
  const config::Mcp& cfg = snap->config->mcp;
  if (!cfg.listen) return Status{};
  s.server = &server;
  s.open.resize(server.io_count());
  if (cfg.tls) {
    auto ctx = net::make_server_tls(cfg.tls->cert_file, cfg.tls->key_file);
    if (!ctx) return std::unexpected(ctx.error());
    s.tls = *ctx;
  }
  const std::string where = cfg.listen->host + ":" + std::to_string(cfg.listen->port);
  error_code ec;
  auto address = asio::ip::make_address(cfg.listen->host, ec);
  if (ec) return fail(sqlstate::kInternalError, "mcp.listen: invalid address " + cfg.listen->host);
  s.loopback = address.is_loopback();
  const tcp::endpoint endpoint(address, cfg.listen->port);
  s.acceptor = std::make_unique<tcp::acceptor>(server.io(0));
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(sqlstate::kInternalError, "mcp: cannot listen on " + where + ": " + ec.message());
  s.auth = std::make_unique<BearerAuth>(server.services().process_secret);
  s.backend = std::make_unique<GatewayBackend>(server);
  DispatchOptions o;
  o.version = s.version;
  s.dispatcher = std::make_unique<Dispatcher>(*s.backend, o);
  asio::co_spawn(server.io(0), s.accept_loop(), asio::detached);
  for (std::size_t io = 0; io < server.io_count(); ++io) {
    asio::co_spawn(server.io(io), s.sweep_loop(io), asio::detached);
  }
  spdlog::info("mcp listening on {}{}/mcp", s.tls ? "https://" : "http://", where);
  return Status{};
}

void McpListener::stop() {
  if (impl_->server && impl_->acceptor) impl_->close_all();
}

}  // namespace airlock::mcp
