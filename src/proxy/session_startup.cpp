// Session: startup packets, TLS, agent authentication and the upstream login.
// protocol-flow.html#PROTOCOL-FLOW-START-UP
#include <spdlog/spdlog.h>

#include "auth/scram.hpp"
#include "core/hex.hpp"
#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"
#include "protocol/startup.hpp"
#include "proxy/frame_io.hpp"
#include "proxy/guard_text.hpp"
#include "proxy/session.hpp"
#include "proxy/policy_hook.hpp"
#include "proxy/search_path.hpp"
#include "proxy/simple_query.hpp"
#include "proxy/startup_params.hpp"

namespace airlock::proxy {

Session::Session(net::Stream client, Services& services, std::shared_ptr<LocalFront> local)
    : client_(std::move(client)),
      services_(services),
      cbuf_(kClientReadChunk),
      local_(std::move(local)),
      signal_timer_(client_.executor()) {}

Session::~Session() {
  if (client_key_.pid != 0) services_.cancels.remove(client_key_.pid);
}

void Session::abort() {
  if (closed_) return;
  if (!upstream_ || pending_syncs_ == 0) {
    close_both();
    return;
  }
  // A statement is still running: cancel it upstream before closing, or PostgreSQL would
  // finish (and commit) it for a client that has been told it was cut off.
  auto self = shared_from_this();
  net::asio::co_spawn(
      client_.executor(),
      [self]() -> net::awaitable<void> {
        co_await self->cancel_upstream_query();
        self->close_both();
      },
      net::asio::detached);
}

void Session::close_both() {
  closed_ = true;
  if (local_) {
    local_->hook = nullptr;
    local_->ended = true;
  }
  client_.close();
  if (upstream_ && upstream_->stream) upstream_->stream->close();
  signal_timer_.cancel();
}

net::awaitable<void> Session::send_fatal(const Error& e, std::string_view detail) {
  std::string out;
  protocol::append_error(
      out, {.severity = "FATAL", .sqlstate = e.sqlstate, .message = e.message, .detail = detail});
  co_await write_client(out);
}

net::awaitable<Result<protocol::StartupMessage>> Session::read_startup_packet() {
  const auto& cfg = *snap_->config;
  for (;;) {
    auto f = co_await read_frame(client_, cbuf_, FrameKind::Startup, cfg.limits.max_startup_bytes);
    if (!f) co_return std::unexpected(f.error());
    auto pkt = protocol::parse_startup(*f);
    const std::size_t frame_size = f->size;
    if (!pkt) co_return std::unexpected(pkt.error());
    if (auto* m = std::get_if<protocol::StartupMessage>(&*pkt)) {
      cbuf_.consume(frame_size);
      co_return std::move(*m);
    }
    if (auto* c = std::get_if<protocol::CancelRequest>(&*pkt)) {
      co_await handle_cancel(c->pid, c->secret);
      co_return fail(sqlstate::kQueryCanceled, "");  // ends the connection quietly
    }
    const bool ssl = std::holds_alternative<protocol::SslRequest>(*pkt);
    // Bytes that arrived with the request would be read as if they came through TLS
    // (CVE-2021-23214): refuse them, and refuse a second negotiation.
    if (cbuf_.size() != frame_size || client_.is_tls()) {
      co_return fail(sqlstate::kProtocolViolation, "invalid encryption negotiation");
    }
    cbuf_.consume(frame_size);
    const bool accept_tls = ssl && snap_->client_tls && !client_.is_unix();
    const char answer = accept_tls ? 'S' : 'N';
    auto [ec, n] = co_await client_.write_all(net::asio::buffer(&answer, 1));
    if (ec) co_return fail(sqlstate::kConnectionFailure, "connection closed");
    if (accept_tls) {
      if (auto hec = co_await client_.server_tls(*snap_->client_tls)) {
        co_return fail(sqlstate::kConnectionFailure, "TLS handshake failed", hec.message());
      }
    }
  }
}

net::awaitable<Status> Session::authenticate(const std::string& user) {
  const auto& cfg = *snap_->config;
  // Who may log in as `user`: an agent with its password (unless login: token_only), or a
  // live token of an agent. Anyone else gets a mock verifier, so that an unknown name, a
  // revoked or expired token and a wrong password all fail the same way.
  std::optional<auth::ScramVerifier> verifier;
  std::optional<state::Token> token;
  auto it = cfg.agents.find(user);
  if (it != cfg.agents.end()) {
    if (!it->second.token_only) verifier = it->second.verifier;
  } else if (user.starts_with("tok_") && services_.store) {
    auto found = services_.store->get_token(user);
    if (!found) spdlog::error("state store: cannot read token {}: {}", user, found.error().message);
    if (found && *found && (*found)->live(now_ms())) {
      it = cfg.agents.find((*found)->agent);
      verifier = auth::parse_verifier((*found)->verifier);
      if (it != cfg.agents.end() && verifier) token = std::move(**found);
    }
    if (!token) {
      verifier.reset();
      it = cfg.agents.end();
    }
  }
  if (!verifier) verifier = auth::mock_verifier(user, services_.process_secret);
  auth::ScramServer scram(*verifier);
  const Error bad_password = Error::make(
      sqlstate::kInvalidPassword, "password authentication failed for user \"" + user + "\"");
  std::string out;
  protocol::append_auth_sasl(out);
  if (!co_await write_client(out)) co_return fail(sqlstate::kConnectionFailure, "connection closed");

  const std::size_t max = 16 * 1024;  // SASL messages are a few hundred bytes
  auto f = co_await read_frame(client_, cbuf_, FrameKind::Typed, max);
  if (!f) co_return std::unexpected(f.error());
  auto init = protocol::parse_sasl_initial_response(*f);
  if (!init) co_return fail(sqlstate::kProtocolViolation, "expected SASL initial response");
  if (init->mechanism != "SCRAM-SHA-256") {
    co_return fail(sqlstate::kProtocolViolation,
                   "client selected an invalid SASL authentication mechanism");
  }
  auto server_first = scram.on_client_first(init->data);
  cbuf_.consume(f->size);
  if (!server_first) co_return std::unexpected(server_first.error());
  out.clear();
  protocol::append_auth_sasl_continue(out, *server_first);
  if (!co_await write_client(out)) co_return fail(sqlstate::kConnectionFailure, "connection closed");

  f = co_await read_frame(client_, cbuf_, FrameKind::Typed, max);
  if (!f) co_return std::unexpected(f.error());
  if (f->type != 'p') co_return fail(sqlstate::kProtocolViolation, "expected SASL response");
  auto server_final = scram.on_client_final(f->body);
  cbuf_.consume(f->size);
  if (!server_final) {
    if (server_final.error().sqlstate == sqlstate::kInvalidPassword) co_return std::unexpected(bad_password);
    co_return std::unexpected(server_final.error());
  }
  if (it == cfg.agents.end() || (!token && it->second.token_only)) {
    co_return std::unexpected(bad_password);  // unreachable: mock keys
  }
  if (token) {
    token_ = services_.tokens.attach(*token, now_ms());
    if (!token_) {
      spdlog::error("token {} has a scope that does not parse; refused", token->id);
      co_return std::unexpected(bad_password);
    }
    agent_ = token->agent;
  }
  out.clear();
  protocol::append_auth_sasl_final(out, *server_final);
  if (!co_await write_client(out)) co_return fail(sqlstate::kConnectionFailure, "connection closed");
  co_return Status{};
}

net::awaitable<void> Session::handle_cancel(std::uint32_t pid, std::uint32_t secret) {
  auto target = services_.cancels.find(pid, secret);
  if (!target) co_return;  // PostgreSQL ignores unknown keys silently, and so do we
  co_await send_upstream_cancel(target->host, target->port,
                                protocol::BackendKey{target->upstream_pid, target->upstream_secret},
                                snap_->config->timeouts.connect);
}

net::awaitable<bool> Session::startup() {
  snap_ = services_.snapshot();
  const auto& cfg = *snap_->config;
  peer_ = local_ ? local_->front + " " + local_->client : client_.peer_address();
  session_id_ = to_hex(auth::random_bytes(8));

  auto handshake = [this]() -> net::awaitable<Result<bool>> {
    auto msg = co_await read_startup_packet();
    if (!msg) co_return std::unexpected(msg.error());
    auto startup = validate_startup(*msg, snap_->config->extra_startup_parameters);
    if (!startup) co_return std::unexpected(startup.error());
    agent_ = startup->user;
    application_name_ = startup->application_name;
    if (services_.draining.load()) {
      co_return fail("57P03", "the database system is shutting down");
    }
    const auto active = services_.counters.connections_active.load(std::memory_order_relaxed);
    if (active > static_cast<std::int64_t>(snap_->config->limits.max_connections)) {
      co_return fail(sqlstate::kTooManyConnections, "sorry, too many clients already");
    }
    if (auto st = co_await authenticate(agent_); !st) {
      services_.counters.auth_failures.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("auth failed peer={} agent={} reason={}", peer_, agent_, st.error().message);
      co_return std::unexpected(st.error());
    }
    traffic_ = services_.traffic.find(agent_);
    if (auto a = snap_->config->agents.find(agent_); a != snap_->config->agents.end()) {
      refusal_delay_ = a->second.breaker.refusal_delay;
    }
    if (traffic_) {
      auto slot = traffic::ConnectionSlot::acquire(traffic_);
      if (!slot) co_return std::unexpected(slot.error());
      slot_ = std::move(*slot);
    }
    UpstreamLoginInput in;
    in.upstream = &snap_->config->upstream;
    in.settings = std::move(startup->settings);
    if (auto a = snap_->config->agents.find(agent_); a != snap_->config->agents.end() &&
                                                      a->second.limits.statement_timeout.count() > 0) {
      // Set at login, so RESET and DISCARD ALL return to it; SET is refused by the hook.
      std::erase_if(in.settings, [](const auto& kv) { return kv.first == "statement_timeout"; });
      in.settings.emplace_back("statement_timeout",
                               std::to_string(a->second.limits.statement_timeout.count()));
    }
    in.tls = snap_->upstream_tls.get();
    in.timeout = snap_->config->timeouts.connect;
    in.max_message_bytes = snap_->config->limits.max_message_bytes;
    auto up = co_await upstream_login(std::move(in));
    if (!up) {
      services_.counters.upstream_errors.fetch_add(1, std::memory_order_relaxed);
      services_.upstream_health.login_failed(up.error(), UpstreamHealth::Clock::now());
      spdlog::error("upstream login failed agent={}: {} {}", agent_, up.error().message, up.error().detail);
      co_return std::unexpected(up.error());
    }
    upstream_ = std::move(*up);
    if (auto st = co_await make_hook(); !st) co_return std::unexpected(st.error());
    if (mode_ == "shadow") {
      // The one transaction the whole session runs in, never committed (shadow.hpp). READ
      // COMMITTED: each statement sees what others committed, as in autocommit.
      const std::string begin = "BEGIN ISOLATION LEVEL READ COMMITTED";
      auto began = co_await run_simple_query(*upstream_, begin, snap_->config->limits.max_message_bytes);
      if (!began) {
        co_return fail(sqlstate::kCannotConnect, "airlock: cannot open the shadow transaction",
                       began.error().message);
      }
      shadow_.emplace("airlock_shadow_" + to_hex(auth::random_bytes(8)));
    }
    std::string out;
    protocol::append_auth_ok(out);
    for (const auto& [name, value] : upstream_->parameters) {
      if (!check_upstream_parameter(name, value)) {
        co_return fail(sqlstate::kInsufficientPrivilege,
                       "airlock: upstream setting " + name + "=" + value + " is not supported");
      }
      protocol::append_parameter_status(out, name, value);
    }
    const auto& up_cfg = snap_->config->upstream;
    client_key_ = services_.cancels.add(
        {up_cfg.host, up_cfg.port, upstream_->key.pid, upstream_->key.secret});
    protocol::append_backend_key_data(out, client_key_.pid, client_key_.secret);
    protocol::append_ready_for_query(out, 'I');
    if (!co_await write_client(out)) co_return fail(sqlstate::kConnectionFailure, "connection closed");
    co_return true;
  };

  auto done = co_await with_deadline<bool>(handshake(), client_, cfg.timeouts.auth, "authentication");
  if (!done) {
    const Error& e = done.error();
    if (e.sqlstate == sqlstate::kQueryCanceled && e.message.empty()) co_return false;  // cancel
    if (e.sqlstate == sqlstate::kProtocolViolation) {
      services_.counters.protocol_errors.fetch_add(1, std::memory_order_relaxed);
    }
    if (e.sqlstate != sqlstate::kConnectionFailure && client_.is_open()) co_await send_fatal(e);
    spdlog::debug("startup ended peer={} agent={}: {}", peer_, agent_, e.message);
    co_return false;
  }
  // Unguessable, so that no statement of the client's can produce an error carrying it
  // (relay.cpp: a denied statement is replaced by this marker upstream).
  deny_marker_ = "airlock_denied_" + to_hex(auth::random_bytes(16));
  spdlog::info("session start peer={} agent={} app={} session={}{}", peer_, agent_,
               application_name_, session_id_, token_ ? " token=" + token_->id : std::string());
  if (token_) audit_token_use();

  co_return true;
}

net::awaitable<Status> Session::make_hook() {
  const auto& cfg = *snap_->config;
  auto it = cfg.agents.find(agent_);
  if (it == cfg.agents.end()) co_return fail(sqlstate::kInvalidPassword, "unknown agent");
  // The path the server really uses (role and database defaults included), so that
  // unqualified names resolve the way PostgreSQL will resolve them.
  auto shown = co_await run_simple_query(*upstream_, "SHOW search_path", cfg.limits.max_message_bytes);
  if (!shown || shown->empty() || shown->front().rows.empty() || !shown->front().rows[0][0]) {
    co_return fail(sqlstate::kCannotConnect, "airlock: cannot read the upstream search_path");
  }
  auto hook = std::make_unique<PolicyHook>(it->second, snap_->catalog, snap_->generation,
                                           parse_search_path(*shown->front().rows[0][0]),
                                           cfg.upstream.user, services_.store != nullptr,
                                           services_.audit != nullptr, cfg.audit.keep_literals,
                                           cfg.masking.key);
  if (local_ && local_->read_only) hook->restrict_to_reads(local_->read_only_hint);
  if (token_) hook->watch_token(token_.get());
  if (token_ && token_->scope) hook->restrict_to_token(token_->id, token_->scope, token_->scope_text);
  hook_ = std::move(hook);
  if (local_) {  // before ReadyForQuery: the front end may act on it at once
    local_->session_id = session_id_;
    local_->hook = hook_.get();
  }
  mode_ = it->second.mode;
  co_return Status{};
}

bool Session::check_upstream_parameter(std::string_view name, std::string_view value) {
  // The server must keep reading SQL the way Airlock's parser does (see startup_params.hpp).
  if (name == "client_encoding") return is_utf8_encoding_name(value);
  if (name == "standard_conforming_strings") return value == "on";
  return true;
}

}  // namespace airlock::proxy
