#include "proxy/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/signal_set.hpp>
#include <filesystem>
#include <thread>

#include "auth/scram.hpp"
#include "net/tls.hpp"
#include "state/sqlite_store.hpp"
#include "proxy/catalog_loader.hpp"
#include "proxy/local_front.hpp"
#include "proxy/session.hpp"

namespace airlock::proxy {
namespace {

std::size_t thread_count(const config::Config& cfg) {
  if (cfg.threads > 0) return static_cast<std::size_t>(cfg.threads);
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

// The traffic settings of every agent, as the traffic module takes them.
traffic::Registry::SettingsByAgent traffic_settings(const config::Config& cfg) {
  traffic::Registry::SettingsByAgent out;
  for (const auto& [name, a] : cfg.agents) {
    const auto& l = a.limits;
    const auto& b = a.breaker;
    traffic::Settings t;
    t.rate = {l.rate, std::max(1u, l.burst), l.max_delay};
    t.max_connections = l.max_connections;
    t.breaker = {b.failures, b.window, b.cooldown};
    t.pause = {b.pause_error_rate, b.pause_min_statements, b.pause_window, b.pause_cooldown};
    out.emplace(name, t);
  }
  return out;
}

}  // namespace

Server::Server(std::shared_ptr<const config::Config> cfg, std::string config_path)
    : config_path_(std::move(config_path)), threads_(thread_count(*cfg)) {
  sessions_.resize(threads_.size());
  services_.process_secret = auth::random_bytes(32);
  if (!cfg->state.path.empty()) {
    // Opened once: a reload that changes state.path takes effect at the next restart.
    auto store = state::open_sqlite_store(cfg->state.path);
    if (!store) throw std::runtime_error(store.error().message);
    services_.store = std::move(*store);
  }
  if (!cfg->audit.dir.empty()) {
    audit::WriterOptions o;
    o.dir = cfg->audit.dir;
    o.fsync = cfg->audit.fsync == "always" ? audit::FsyncPolicy::Always : audit::FsyncPolicy::Interval;
    o.fsync_interval = cfg->audit.fsync_interval;
    o.max_file_bytes = cfg->audit.max_file_bytes;
    auto w = audit::Writer::open(std::move(o));
    if (!w) throw std::runtime_error("audit trail " + cfg->audit.dir + ": " + w.error().message);
    for (const auto& note : (*w)->recovery_notes()) spdlog::warn("audit trail: {}", note);
    services_.audit = std::move(*w);
  }
  services_.traffic.configure(traffic_settings(*cfg));
  auto snap = make_snapshot(std::move(cfg));
  if (!snap) throw std::runtime_error(snap.error().message);
  services_.publish(*snap);
}

Server::~Server() {
  // Order matters: I/O objects first, then the contexts (whose queued coroutine frames may
  // still reference sessions_ and services_), then the rest.
  tcp_acceptor_.reset();
  unix_acceptor_.reset();
  catalog_timer_.reset();
  if (token_sweeper_.joinable()) {
    token_sweeper_.request_stop();
    token_sweeper_.join();
  }
  threads_.destroy();
}

Result<std::shared_ptr<Snapshot>> Server::make_snapshot(std::shared_ptr<const config::Config> cfg) {
  auto snap = std::make_shared<Snapshot>();
  if (cfg->tls) {
    auto ctx = net::make_server_tls(cfg->tls->cert_file, cfg->tls->key_file);
    if (!ctx) return std::unexpected(ctx.error());
    snap->client_tls = *ctx;
  }
  if (cfg->upstream.sslmode != config::UpstreamSslMode::Disable) {
    const bool verify = cfg->upstream.sslmode == config::UpstreamSslMode::VerifyFull;
    auto ctx = net::make_client_tls(verify ? cfg->upstream.sslrootcert : std::string());
    if (!ctx) return std::unexpected(ctx.error());
    snap->upstream_tls = *ctx;
  }
  snap->config = std::move(cfg);
  return snap;
}

int Server::run() {
  const auto snap = services_.snapshot();
  const auto& cfg = *snap->config;
  auto& ctx0 = threads_.at(0);
  net::error_code ec;
  auto addr = net::asio::ip::make_address(cfg.listen.host, ec);
  if (ec) {
    spdlog::error("listen: invalid address {}", cfg.listen.host);
    return 2;
  }
  const net::tcp::endpoint ep(addr, cfg.listen.port);
  tcp_acceptor_ = std::make_unique<net::tcp::acceptor>(ctx0);
  tcp_acceptor_->open(ep.protocol(), ec);
  if (!ec) tcp_acceptor_->set_option(net::tcp::acceptor::reuse_address(true), ec);
  if (!ec) tcp_acceptor_->bind(ep, ec);
  if (!ec) tcp_acceptor_->listen(net::asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("cannot listen on {}:{}: {}", cfg.listen.host, cfg.listen.port, ec.message());
    return 1;
  }
  net::asio::co_spawn(ctx0, accept_tcp(*tcp_acceptor_), net::asio::detached);
  if (!cfg.unix_socket_dir.empty()) {
    unix_path_ = cfg.unix_socket_dir + "/.s.PGSQL." + std::to_string(cfg.listen.port);
    std::filesystem::remove(unix_path_, ec);
    unix_acceptor_ = std::make_unique<net::asio::local::stream_protocol::acceptor>(ctx0);
    net::asio::local::stream_protocol::endpoint uep(unix_path_);
    unix_acceptor_->open(uep.protocol(), ec);
    if (!ec) unix_acceptor_->bind(uep, ec);
    if (!ec) unix_acceptor_->listen(net::asio::socket_base::max_listen_connections, ec);
    if (ec) {
      spdlog::error("cannot listen on {}: {}", unix_path_, ec.message());
      return 1;
    }
    net::asio::co_spawn(ctx0, accept_unix(*unix_acceptor_), net::asio::detached);
  }
  for (Front* f : fronts_) {
    if (auto st = f->start(*this); !st) {
      spdlog::error("{}", st.error().message);
      return 1;
    }
  }
  net::asio::co_spawn(ctx0, handle_signals(), net::asio::detached);
  net::asio::co_spawn(ctx0, refresh_catalog(), net::asio::detached);
  if (services_.store) {
    token_sweeper_ = std::jthread([this](std::stop_token stop) { sweep_tokens(stop); });
  }
  spdlog::info("airlock listening on {}:{} ({} threads), upstream {}:{}/{}", cfg.listen.host,
               cfg.listen.port, threads_.size(), cfg.upstream.host, cfg.upstream.port,
               cfg.upstream.database);
  threads_.start();
  threads_.join();
  if (!unix_path_.empty()) std::filesystem::remove(unix_path_, ec);
  spdlog::info("airlock stopped");
  return 0;
}

Result<net::asio::local::stream_protocol::socket> Server::open_local(
    std::size_t index, std::shared_ptr<LocalFront> front) {
  if (services_.draining.load()) return fail("57P03", "the gateway is shutting down");
  net::asio::local::stream_protocol::socket ours(threads_.at(index));
  net::asio::local::stream_protocol::socket theirs(threads_.at(index));
  net::error_code ec;
  net::asio::local::connect_pair(ours, theirs, ec);
  if (ec) return fail(sqlstate::kConnectionFailure, "cannot open a local session: " + ec.message());
  start_session(index, net::Stream(std::move(ours)), std::move(front));
  return theirs;
}

void Server::start_session(std::size_t index, net::Stream stream, std::shared_ptr<LocalFront> local) {
  auto session = std::make_shared<Session>(std::move(stream), services_, std::move(local));
  net::asio::co_spawn(
      threads_.at(index),
      [this, index, session]() -> net::awaitable<void> {
        sessions_[index].insert(session);
        struct Erase {
          std::unordered_set<std::shared_ptr<Session>>& set;
          const std::shared_ptr<Session>& s;
          ~Erase() { set.erase(s); }
        } erase{sessions_[index], session};
        co_await session->run();
      },
      [](std::exception_ptr e) {
        // One catch per session: a bug in one session never takes the process down.
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("session failed: {}", ex.what());
        }
      });
}

net::awaitable<void> Server::accept_tcp(net::tcp::acceptor& acceptor) {
  for (;;) {
    const std::size_t index = threads_.next_index();
    auto [ec, sock] = co_await acceptor.async_accept(threads_.at(index), net::nothrow);
    if (ec == net::asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
      net::asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(net::nothrow);
      continue;
    }
    net::error_code ignored;
    sock.set_option(net::tcp::no_delay(true), ignored);
    start_session(index, net::Stream(std::move(sock)));
  }
}

net::awaitable<void> Server::accept_unix(net::asio::local::stream_protocol::acceptor& acceptor) {
  for (;;) {
    const std::size_t index = threads_.next_index();
    auto [ec, sock] = co_await acceptor.async_accept(threads_.at(index), net::nothrow);
    if (ec == net::asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      net::asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(net::nothrow);
      continue;
    }
    start_session(index, net::Stream(std::move(sock)));
  }
}

net::awaitable<void> Server::handle_signals() {
  net::asio::signal_set signals(co_await net::asio::this_coro::executor, SIGTERM, SIGINT, SIGHUP);
  for (;;) {
    auto [ec, signo] = co_await signals.async_wait(net::nothrow);
    if (ec) co_return;
    if (signo == SIGHUP) {
      reload();
      continue;
    }
    spdlog::info("signal {}: draining sessions", signo);
    co_await shutdown();
    co_return;
  }
}

void Server::reload() {
  auto loaded = config::load_config(config_path_);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) spdlog::error("reload rejected: {}", e.to_string());
    spdlog::error("reload rejected: {} error(s); the previous configuration stays in force",
                  loaded.errors.size());
    return;
  }
  const auto old = services_.snapshot()->config;
  if (loaded.config->listen.host != old->listen.host || loaded.config->listen.port != old->listen.port) {
    spdlog::warn("reload: a new listen address takes effect only after a restart");
  }
  auto snap = make_snapshot(loaded.config);
  if (!snap) {
    spdlog::error("reload rejected: {}", snap.error().message);
    return;
  }
  (*snap)->catalog = services_.snapshot()->catalog;
  services_.traffic.configure(traffic_settings(*loaded.config));
  services_.publish(std::move(*snap));
  spdlog::info("reloaded {}: {} agent(s)", config_path_, loaded.config->agents.size());
  if (catalog_timer_) catalog_timer_->cancel();  // re-read the catalog now
}

net::awaitable<void> Server::refresh_catalog() {
  // Read at start, after every reload, and every kCatalogRefresh; retried quickly while
  // upstream is unreachable. Sessions take the catalog current at their authentication.
  constexpr auto kCatalogRefresh = std::chrono::seconds(60);
  constexpr auto kCatalogRetry = std::chrono::seconds(5);
  catalog_timer_ = std::make_unique<net::asio::steady_timer>(co_await net::asio::this_coro::executor);
  while (!services_.draining.load()) {
    auto current = services_.snapshot();
    using namespace boost::asio::experimental::awaitable_operators;
    net::asio::steady_timer deadline(co_await net::asio::this_coro::executor,
                                     current->config->timeouts.connect * 4);
    auto outcome = co_await (load_catalog(*current) || deadline.async_wait(net::nothrow));
    Result<std::shared_ptr<const sql::Catalog>> catalog =
        outcome.index() == 0 ? std::move(std::get<0>(outcome))
                             : fail(sqlstate::kConnectionFailure, "timeout reading the catalog");
    if (catalog && services_.snapshot()->config == current->config) {
      auto fresh = std::make_shared<Snapshot>(*services_.snapshot());
      fresh->catalog = *catalog;
      services_.publish(std::move(fresh));
      services_.upstream_ok = true;
      spdlog::debug("catalog read from upstream");
    } else if (catalog) {
      continue;  // a reload came in meanwhile: read the new upstream's catalog at once
    } else {
      services_.upstream_ok = false;
      spdlog::warn("cannot read the upstream catalog (retrying): {} {}", catalog.error().message,
                   catalog.error().detail);
    }
    catalog_timer_->expires_after(catalog ? std::chrono::duration_cast<std::chrono::milliseconds>(kCatalogRefresh)
                                          : std::chrono::duration_cast<std::chrono::milliseconds>(kCatalogRetry));
    co_await catalog_timer_->async_wait(net::nothrow);
  }
}

net::awaitable<void> Server::shutdown() {
  if (catalog_timer_) catalog_timer_->cancel();
  services_.draining = true;
  net::error_code ec;
  if (tcp_acceptor_) tcp_acceptor_->close(ec);
  if (unix_acceptor_) unix_acceptor_->close(ec);
  for (Front* f : fronts_) f->stop();
  for (std::size_t i = 0; i < threads_.size(); ++i) {
    net::asio::post(threads_.at(i), [this, i] {
      for (const auto& s : sessions_[i]) s->begin_drain();
    });
  }
  const auto grace = services_.snapshot()->config->timeouts.shutdown_grace;
  const auto until = std::chrono::steady_clock::now() + grace;
  net::asio::steady_timer t(co_await net::asio::this_coro::executor);
  while (services_.counters.connections_active.load() > 0 &&
         std::chrono::steady_clock::now() < until) {
    t.expires_after(std::chrono::milliseconds(50));
    co_await t.async_wait(net::nothrow);
  }
  if (services_.counters.connections_active.load() > 0) {
    spdlog::warn("grace period over: closing {} session(s)", services_.counters.connections_active.load());
    for (std::size_t i = 0; i < threads_.size(); ++i) {
      net::asio::post(threads_.at(i), [this, i] {
        for (const auto& s : sessions_[i]) s->abort();
      });
    }
    // Aborting sessions first cancel their running statements upstream; give that a moment.
    const auto cancel_until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (services_.counters.connections_active.load() > 0 &&
           std::chrono::steady_clock::now() < cancel_until) {
      t.expires_after(std::chrono::milliseconds(20));
      co_await t.async_wait(net::nothrow);
    }
  }
  threads_.stop();
}

}  // namespace airlock::proxy
