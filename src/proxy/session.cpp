// Session: lifetime — run, drain, and cleanup after either peer goes away.
#include "proxy/session.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <spdlog/spdlog.h>

#include "core/intent_text.hpp"
#include "protocol/frontend.hpp"

namespace airlock::proxy {

net::awaitable<void> Session::run() {
  auto self = shared_from_this();
  services_.counters.connections_total.fetch_add(1, std::memory_order_relaxed);
  services_.counters.connections_active.fetch_add(1, std::memory_order_relaxed);
  services_.metrics.connections_total.inc();
  services_.metrics.connections_active.inc();
  // Whatever happens below (even an exception), the session is closed and uncounted.
  struct Guard {
    Session& s;
    ~Guard() {
      s.close_both();
      s.services_.counters.connections_active.fetch_sub(1, std::memory_order_relaxed);
      s.services_.metrics.connections_active.dec();
    }
  } guard{*this};
  signal_timer_.expires_at(net::asio::steady_timer::time_point::max());

  if (co_await startup()) {
    app_intent_ = intent_of_application_name(application_name_);
    using namespace boost::asio::experimental::awaitable_operators;
    co_await (client_to_upstream() || upstream_to_client() || watchdog());
    if (cancel_at_end_ && upstream_ && pending_syncs_ > 0) {
      // Ended by the gateway (a token's end) with a statement running: the upstream socket
      // is closed already, and the statement must not run on for nobody.
      co_await cancel_upstream_query();
    }
    if (upstream_ && upstream_->stream->is_open() && !write_timed_out_ && !client_terminated_) {
      // The client left while a statement ran: cancel it, so the backend is not left
      // working for nobody (a client that said Terminate meant its statements to finish).
      if (pending_syncs_ > 0 && !client_terminated_) co_await cancel_upstream_query();
      std::string bye;
      protocol::append_terminate(bye);
      net::asio::steady_timer t(client_.executor(), std::chrono::seconds(1));
      co_await (write_upstream(bye) || t.async_wait(net::nothrow));
    }
    spdlog::info("session end peer={} agent={}", peer_, agent_);
  }
}

net::awaitable<void> Session::cancel_upstream_query() {
  const auto& up = snap_->config->upstream;
  co_await send_upstream_cancel(up.host, up.port, upstream_->key, snap_->config->timeouts.connect);
}

void Session::begin_drain() {
  draining_ = true;
  if (pending_syncs_ > 0 || closed_) return;  // upstream_to_client closes after the last reply
  auto self = shared_from_this();
  net::asio::co_spawn(
      client_.executor(),
      [self]() -> net::awaitable<void> {
        if (self->upstream_) {
          co_await self->send_fatal(Error::make(
              sqlstate::kAdminShutdown, "terminating connection due to administrator command"));
        }
        self->close_both();
      },
      net::asio::detached);
}

}  // namespace airlock::proxy
