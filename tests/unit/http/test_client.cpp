#include "test_client.hpp"

#include <atomic>
#include <boost/asio/read.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "net/asio.hpp"

namespace airlock::http::testing {

namespace asio = boost::asio;
using boost::asio::ip::tcp;

namespace {

// Splits a byte stream of responses using Content-Length (all the server sends).
std::vector<RawResponse> split(const std::string& data) {
  std::vector<RawResponse> out;
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t end = data.find("\r\n\r\n", pos);
    if (end == std::string::npos) break;
    RawResponse r;
    r.head = data.substr(pos, end - pos);
    if (r.head.size() >= 12 && r.head.starts_with("HTTP/1."))
      r.status = std::stoi(r.head.substr(9, 3));
    std::size_t length = 0;
    std::size_t cl = r.head.find("Content-Length: ");
    if (cl != std::string::npos) length = std::stoul(r.head.substr(cl + 16));
    r.body = data.substr(end + 4, length);
    pos = end + 4 + length;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::vector<RawResponse> roundtrip(std::uint16_t port, const std::string& raw,
                                   std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  tcp::socket sock(ioc);
  boost::system::error_code wec;
  sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), wec);
  if (!wec) asio::write(sock, asio::buffer(raw), wec);  // may fail: the server may have closed
  std::string data;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  sock.non_blocking(true);
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = sock.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block) {
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    if (ec) break;
    data.append(buf, n);
  }
  return split(data);
}

RawResponse request(std::uint16_t port, const std::string& method, const std::string& target,
                    const std::string& body, const std::string& extra_headers) {
  std::string raw =
      method + " " + target + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n" + extra_headers;
  if (!body.empty() || method == "POST")
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  raw += "\r\n" + body;
  auto responses = roundtrip(port, raw);
  return responses.empty() ? RawResponse{} : responses.front();
}

struct TestServer::State {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;
  int status = 200;
  bool silent = false;
  mutable std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> requests;
  std::size_t connections = 0;
  std::vector<std::shared_ptr<tcp::socket>> held;  // silent mode: kept open, never answered
  std::atomic<bool> stopping{false};
};

TestServer::TestServer(int status, bool silent) : state_(new State) {
  state_->status = status;
  state_->silent = silent;
  port_ = state_->acceptor.local_endpoint().port();
  state_->thread = std::thread([s = state_] {
    for (;;) {
      auto sock = std::make_shared<tcp::socket>(s->ioc);
      boost::system::error_code ec;
      s->acceptor.accept(*sock, ec);
      if (ec || s->stopping) return;
      {
        std::lock_guard lock(s->mutex);
        ++s->connections;
      }
      s->cv.notify_all();
      if (s->silent) {
        std::lock_guard lock(s->mutex);
        s->held.push_back(sock);
        continue;
      }
      // Read the head, then Content-Length bytes of body.
      std::string data;
      char buf[4096];
      std::size_t head_end = std::string::npos;
      std::size_t need = 0;
      while (!ec) {
        std::size_t n = sock->read_some(asio::buffer(buf), ec);
        data.append(buf, n);
        if (head_end == std::string::npos &&
            (head_end = data.find("\r\n\r\n")) != std::string::npos) {
          std::size_t cl = data.find("Content-Length: ");
          need = head_end + 4 + (cl < head_end ? std::stoul(data.substr(cl + 16)) : 0);
        }
        if (head_end != std::string::npos && data.size() >= need) break;
      }
      std::string reply = "HTTP/1.1 " + std::to_string(s->status) +
                          " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      asio::write(*sock, asio::buffer(reply), ec);
      sock->close(ec);
      {
        std::lock_guard lock(s->mutex);
        s->requests.push_back(std::move(data));
      }
      s->cv.notify_all();
    }
  });
}

TestServer::~TestServer() {
  // The accepting thread blocks in accept(): wake it with one more connection.
  state_->stopping = true;
  {
    boost::system::error_code ec;
    tcp::socket poke(state_->ioc);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    state_->thread.join();
  }
  delete state_;
}

std::vector<std::string> TestServer::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->cv.wait_for(lock, timeout, [&] { return state_->requests.size() >= n; });
  return state_->requests;
}

std::size_t TestServer::connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections;
}

}  // namespace airlock::http::testing
