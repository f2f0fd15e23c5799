#include "proxy/upstream_login.hpp"

#include "auth/scram.hpp"
#include "net/connect.hpp"
#include "protocol/frontend.hpp"
#include "proxy/frame_io.hpp"

namespace airlock::proxy {
namespace {

using config::UpstreamSslMode;

net::awaitable<Status> write_all(net::Stream& s, const std::string& bytes) {
  auto [ec, n] = co_await s.write_all(net::asio::buffer(bytes));
  if (ec) co_return fail(sqlstate::kCannotConnect, "airlock: upstream write failed", ec.message());
  co_return Status{};
}

net::awaitable<Status> negotiate_tls(net::Stream& s, const UpstreamLoginInput& in) {
  std::string req;
  protocol::append_ssl_request(req);
  if (auto st = co_await write_all(s, req); !st) co_return st;
  // Read exactly one byte: anything the server (or a man in the middle) sends after it
  // belongs to the TLS handshake, never to the plaintext protocol.
  char answer = 0;
  auto [ec, n] = co_await s.read_some(net::asio::buffer(&answer, 1));
  if (ec || n != 1) co_return fail(sqlstate::kCannotConnect, "airlock: upstream closed during TLS negotiation");
  const auto mode = in.upstream->sslmode;
  if (answer == 'N') {
    if (mode == UpstreamSslMode::Prefer) co_return Status{};
    co_return fail(sqlstate::kCannotConnect, "airlock: upstream server does not support TLS");
  }
  if (answer != 'S') co_return fail(sqlstate::kProtocolViolation, "airlock: invalid upstream TLS answer");
  const std::string name = mode == UpstreamSslMode::VerifyFull ? in.upstream->host : std::string();
  if (auto hec = co_await s.client_tls(*in.tls, name)) {
    co_return fail(sqlstate::kCannotConnect, "airlock: upstream TLS handshake failed", hec.message());
  }
  co_return Status{};
}

// Answers one authentication request; returns true once AuthenticationOk arrives.
class Authenticator {
 public:
  explicit Authenticator(const config::Upstream& up) : up_(up), scram_(up.password) {}

  Result<bool> on_request(const protocol::AuthRequest& req, std::string& out) {
    using protocol::AuthCode;
    switch (req.code) {
      case AuthCode::Ok:
        return true;
      case AuthCode::CleartextPassword:
        protocol::append_password(out, up_.password);
        return false;
      case AuthCode::Md5Password:
        protocol::append_password(out, auth::md5_password_response(up_.user, up_.password, req.data));
        return false;
      case AuthCode::Sasl:
        if (!offers_scram(req.data)) {
          return fail(sqlstate::kCannotConnect, "airlock: upstream offers no supported SASL mechanism");
        }
        protocol::append_sasl_initial_response(out, "SCRAM-SHA-256", scram_.client_first());
        return false;
      case AuthCode::SaslContinue: {
        auto final_msg = scram_.on_server_first(req.data);
        if (!final_msg) return std::unexpected(final_msg.error());
        protocol::append_sasl_response(out, *final_msg);
        return false;
      }
      case AuthCode::SaslFinal:
        if (auto st = scram_.on_server_final(req.data); !st) return std::unexpected(st.error());
        return false;
    }
    return fail(sqlstate::kCannotConnect, "airlock: unsupported upstream authentication");
  }

 private:
  static bool offers_scram(std::string_view list) {
    // A sequence of NUL-terminated names, ending with an empty one.
    while (!list.empty()) {
      const auto nul = list.find('\0');
      const std::string_view name = list.substr(0, nul);
      if (name == "SCRAM-SHA-256") return true;
      if (nul == std::string_view::npos) break;
      list.remove_prefix(nul + 1);
    }
    return false;
  }
  const config::Upstream& up_;
  auth::ScramClient scram_;
};

net::awaitable<Result<UpstreamConn>> login(UpstreamLoginInput in) {
  const auto& up = *in.upstream;
  auto sock = co_await net::connect_tcp(up.host, up.port, in.timeout);
  if (!sock) co_return std::unexpected(sock.error());
  UpstreamConn conn;
  conn.stream = std::make_unique<net::Stream>(std::move(*sock));
  net::Stream& s = *conn.stream;
  if (up.sslmode != UpstreamSslMode::Disable) {
    if (auto st = co_await negotiate_tls(s, in); !st) co_return std::unexpected(st.error());
  }
  std::vector<std::pair<std::string, std::string>> params = {{"user", up.user},
                                                              {"database", up.database}};
  params.insert(params.end(), in.settings.begin(), in.settings.end());
  std::string out;
  protocol::append_startup(out, params);
  if (auto st = co_await write_all(s, out); !st) co_return std::unexpected(st.error());

  Authenticator authn(up);
  bool authenticated = false;
  for (;;) {
    auto f = co_await read_frame(s, conn.buf, FrameKind::Typed, in.max_message_bytes);
    if (!f) co_return fail(sqlstate::kCannotConnect, "airlock: upstream closed the connection during login", f.error().detail);
    const protocol::Frame frame = *f;
    out.clear();
    switch (frame.type) {
      case 'R': {
        if (authenticated) co_return fail(sqlstate::kProtocolViolation, "airlock: unexpected upstream authentication request");
        auto req = protocol::parse_auth_request(frame);
        if (!req) co_return std::unexpected(req.error());
        auto done = authn.on_request(*req, out);
        if (!done) co_return std::unexpected(done.error());
        authenticated = *done;
        break;
      }
      case 'E': {
        auto e = protocol::parse_error(frame);
        std::string msg = e ? std::string(e->message) : "invalid error message";
        std::string code = e && e->sqlstate.size() == 5 ? std::string(e->sqlstate) : "08001";
        // Authentication failures are Airlock's configuration problem, not the agent's.
        if (code.starts_with("28")) code = sqlstate::kCannotConnect;
        co_return std::unexpected(Error{code, "airlock: upstream refused the connection: " + msg, {}});
      }
      case 'S': {
        auto p = protocol::parse_parameter_status(frame);
        if (!p || !authenticated) co_return fail(sqlstate::kProtocolViolation, "airlock: invalid upstream ParameterStatus");
        conn.parameters.emplace_back(std::string(p->name), std::string(p->value));
        break;
      }
      case 'K': {
        auto k = protocol::parse_backend_key_data(frame);
        if (!k) co_return fail(sqlstate::kProtocolViolation, "airlock: invalid upstream BackendKeyData");
        conn.key = *k;
        break;
      }
      case 'N':
        break;
      case 'Z':
        if (!authenticated || !protocol::parse_ready_for_query(frame)) {
          co_return fail(sqlstate::kProtocolViolation, "airlock: invalid upstream ReadyForQuery");
        }
        conn.buf.consume(frame.size);
        co_return conn;
      default:
        co_return fail(sqlstate::kProtocolViolation, "airlock: unexpected upstream message during login");
    }
    conn.buf.consume(frame.size);
    if (!out.empty()) {
      if (auto st = co_await write_all(s, out); !st) co_return std::unexpected(st.error());
    }
  }
}

}  // namespace

net::awaitable<Result<UpstreamConn>> upstream_login(UpstreamLoginInput in) {
  // The stream does not exist before connect; the deadline covers connect + login by
  // racing the whole login against a timer.
  using namespace boost::asio::experimental::awaitable_operators;
  net::asio::steady_timer timer(co_await net::asio::this_coro::executor, in.timeout);
  auto outcome = co_await (login(std::move(in)) || timer.async_wait(net::nothrow));
  if (outcome.index() == 0) co_return std::move(std::get<0>(outcome));
  co_return fail(sqlstate::kCannotConnect, "airlock: timeout connecting to upstream");
}

net::awaitable<void> send_upstream_cancel(std::string host, std::uint16_t port,
                                          protocol::BackendKey key,
                                          std::chrono::milliseconds timeout) {
  auto sock = co_await net::connect_tcp(host, port, timeout);
  if (!sock) co_return;
  std::string req;
  protocol::append_cancel_request(req, key.pid, key.secret);
  auto [ec, n] = co_await net::asio::async_write(*sock, net::asio::buffer(req), net::nothrow);
  (void)ec;
  (void)n;
  // PostgreSQL closes the connection after reading the request; wait briefly for that so
  // the request is not cut off by our close.
  char b;
  net::asio::steady_timer t(co_await net::asio::this_coro::executor, timeout);
  using namespace boost::asio::experimental::awaitable_operators;
  co_await (sock->async_read_some(net::asio::buffer(&b, 1), net::nothrow) || t.async_wait(net::nothrow));
}

}  // namespace airlock::proxy
