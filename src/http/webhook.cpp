// The only Beast code on the client side: one POST per notification, over a fresh
// connection (holds are rare; a pooled connection would only add failure modes).
#include "http/webhook.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "http/client_tls.hpp"
#include "http/url.hpp"
#include "metrics/metric.hpp"
#include "net/asio.hpp"

namespace airlock::http {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using net::awaitable;
using net::error_code;
using net::nothrow;
using net::tcp;

struct WebhookNotifier::Impl {
  Impl(WebhookOptions o, Url u) : options(std::move(o)), url(std::move(u)) {}

  awaitable<void> run();
  awaitable<Status> deliver(const std::string& body);
  template <class Stream>
  awaitable<Status> exchange(Stream& stream, bhttp::request<bhttp::string_body>& request);
  std::optional<std::string> pop();
  Status failure(const char* step, const error_code& ec) const;
  static void count(std::atomic<std::uint64_t>& n, metrics::Counter* c) {
    n.fetch_add(1, std::memory_order_relaxed);
    if (c != nullptr) c->inc();
  }

  WebhookOptions options;
  Url url;
  std::string where;  // scheme://host:port, for logs: the path may carry a token
  std::unique_ptr<ssl::context> tls;
  asio::io_context ioc{1};  // before everything bound to it: destroyed last
  asio::steady_timer wake{ioc};
  std::thread thread;

  std::mutex mutex;
  std::deque<std::string> queue;  // guarded by mutex
  bool stopping = false;          // guarded by mutex
  std::uint64_t queued = 0;       // guarded by mutex: notifications accepted so far
  std::uint64_t attempted = 0;    // guarded by mutex: of those, sent or failed
  std::condition_variable attempted_cv;

  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> dropped{0};
};

Status WebhookNotifier::Impl::failure(const char* step, const error_code& ec) const {
  if (ec == beast::error::timeout) {
    return fail(sqlstate::kConnectionFailure, std::string(step) + ": timed out after " +
                                                  std::to_string(options.timeout.count()) + " ms");
  }
  return fail(sqlstate::kConnectionFailure, std::string(step) + ": " + ec.message());
}

std::optional<std::string> WebhookNotifier::Impl::pop() {
  std::lock_guard lock(mutex);
  if (queue.empty()) return std::nullopt;
  std::string body = std::move(queue.front());
  queue.pop_front();
  return body;
}

template <class Stream>
awaitable<Status> WebhookNotifier::Impl::exchange(Stream& stream,
                                                  bhttp::request<bhttp::string_body>& request) {
  auto [wec, written] = co_await bhttp::async_write(stream, request, nothrow);
  if (wec) co_return failure("sending the request", wec);
  // Only the status line matters; the connection is closed after it.
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.header_limit(16 * 1024);
  auto [rec, read] = co_await bhttp::async_read_header(stream, buffer, parser, nothrow);
  if (rec) co_return failure("reading the response", rec);
  unsigned status = parser.get().result_int();
  if (status < 200 || status > 299) {
    co_return fail(sqlstate::kConnectionFailure, "answered HTTP " + std::to_string(status));
  }
  co_return Status{};
}

awaitable<Status> WebhookNotifier::Impl::deliver(const std::string& body) {
  auto executor = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  tcp::resolver resolver(executor);
  auto [dec, endpoints] =
      co_await resolver.async_resolve(url.host, std::to_string(url.port), nothrow);
  if (dec) co_return failure("resolving the host", dec);

  beast::tcp_stream tcp_stream(executor);
  tcp_stream.expires_at(deadline);  // one deadline for every step from here on
  auto [cec, endpoint] = co_await tcp_stream.async_connect(endpoints, nothrow);
  if (cec) co_return failure("connecting", cec);

  bhttp::request<bhttp::string_body> request{bhttp::verb::post, url.target, 11};
  request.set(bhttp::field::host, host_header(url));
  request.set(bhttp::field::user_agent, "airlock");
  request.set(bhttp::field::content_type, "application/json");
  if (!options.secret.empty()) request.set(bhttp::field::authorization, "Bearer " + options.secret);
  request.keep_alive(false);
  request.body() = body;
  request.prepare_payload();
  if (!tls) co_return co_await exchange(tcp_stream, request);

  beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *tls);
  beast::get_lowest_layer(stream).expires_at(deadline);
  verify_server_name(stream, url.host);
  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, nothrow);
  if (hec) co_return failure("TLS handshake", hec);
  co_return co_await exchange(stream, request);
}

awaitable<void> WebhookNotifier::Impl::run() {
  for (;;) {
    std::optional<std::string> body = pop();
    if (!body) {
      // notify() cancels this wait (on this thread, after queueing), so no wake-up is lost.
      wake.expires_at(asio::steady_timer::time_point::max());
      co_await wake.async_wait(nothrow);
      continue;
    }
    Status delivered = fail(sqlstate::kInternalError, "unexpected exception");
    try {
      delivered = co_await deliver(*body);
    } catch (const std::exception& e) {
      delivered = fail(sqlstate::kInternalError, e.what());
    }
    if (delivered) {
      count(sent, options.sent_counter);
    } else {
      count(failed, options.failed_counter);
      spdlog::warn("webhook: POST to {} failed: {}", where, delivered.error().message);
    }
    {
      std::lock_guard lock(mutex);
      ++attempted;
    }
    attempted_cv.notify_all();
  }
}

Result<std::unique_ptr<WebhookNotifier>> WebhookNotifier::create(WebhookOptions options) {
  auto url = parse_url(options.url);
  if (!url) return std::unexpected(url.error());
  auto impl = std::make_unique<Impl>(std::move(options), std::move(*url));
  Impl& s = *impl;
  s.where = origin_text(s.url);
  if (s.url.tls) {
    auto tls = make_verifying_client_tls(s.options.ca_file, "webhook");
    if (!tls) return std::unexpected(tls.error());
    s.tls = std::move(*tls);
  }
  asio::co_spawn(s.ioc, s.run(), asio::detached);
  s.thread = std::thread([&s] {
    pthread_setname_np(pthread_self(), "airlock-webhook");
    s.ioc.run();
  });
  return std::unique_ptr<WebhookNotifier>(new WebhookNotifier(std::move(impl)));
}

WebhookNotifier::WebhookNotifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebhookNotifier::~WebhookNotifier() { stop(); }

bool WebhookNotifier::notify(std::string json_body) {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    if (!s.stopping && s.queue.size() < s.options.max_queue) {
      s.queue.push_back(std::move(json_body));
      ++s.queued;
      // Posted under the lock, so that stop() cannot slip in between.
      asio::post(s.ioc, [&s] { s.wake.cancel(); });
      return true;
    }
  }
  Impl::count(s.dropped, s.options.dropped_counter);
  spdlog::warn("webhook: notification to {} dropped: {}", s.where,
               "the queue is full or the notifier is stopped");
  return false;
}

bool WebhookNotifier::drain(std::chrono::milliseconds within) {
  Impl& s = *impl_;
  std::unique_lock lock(s.mutex);
  const std::uint64_t target = s.queued;
  return s.attempted_cv.wait_for(lock, within,
                                 [&] { return s.attempted >= target || s.stopping; }) &&
         s.attempted >= target;
}

void WebhookNotifier::stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mutex);
    if (s.stopping) return;
    s.stopping = true;
    for (std::size_t i = 0; i < s.queue.size(); ++i)
      Impl::count(s.dropped, s.options.dropped_counter);
    s.queue.clear();
  }
  s.attempted_cv.notify_all();
  s.ioc.stop();
  if (s.thread.joinable()) s.thread.join();
}

std::uint64_t WebhookNotifier::sent() const noexcept { return impl_->sent.load(); }
std::uint64_t WebhookNotifier::failed() const noexcept { return impl_->failed.load(); }
std::uint64_t WebhookNotifier::dropped() const noexcept { return impl_->dropped.load(); }

}  // namespace airlock::http
