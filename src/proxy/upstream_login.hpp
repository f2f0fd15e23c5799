#pragma once
// Airlock's own login to the upstream PostgreSQL server: connect, optional TLS, startup,
// authentication (trust, password, md5, SCRAM-SHA-256), then the ParameterStatus and
// BackendKeyData the server sends up to its first ReadyForQuery.
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "core/buffer.hpp"
#include "core/error.hpp"
#include "net/stream.hpp"
#include "protocol/backend.hpp"

namespace airlock::proxy {

struct UpstreamConn {
  std::unique_ptr<net::Stream> stream;
  RecvBuffer buf;
  std::vector<std::pair<std::string, std::string>> parameters;  // ParameterStatus, in order
  protocol::BackendKey key;
};

struct UpstreamLoginInput {
  const config::Upstream* upstream = nullptr;
  std::vector<std::pair<std::string, std::string>> settings;  // validated client settings
  boost::asio::ssl::context* tls = nullptr;                    // null: sslmode disable
  std::chrono::milliseconds timeout{5000};
  std::size_t max_message_bytes = 1 << 20;
};

// Errors: 08001 when the server cannot be reached or refuses the login (its message is kept,
// since it tells the agent whether to retry), 08P01 when it breaks the protocol.
net::awaitable<Result<UpstreamConn>> upstream_login(UpstreamLoginInput in);

// Sends a CancelRequest for `key` on a fresh connection to the upstream server.
net::awaitable<void> send_upstream_cancel(std::string host, std::uint16_t port,
                                          protocol::BackendKey key,
                                          std::chrono::milliseconds timeout);

}  // namespace airlock::proxy
