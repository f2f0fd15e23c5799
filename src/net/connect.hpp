#pragma once
#include <chrono>
#include <string>

#include "core/error.hpp"
#include "net/asio.hpp"

namespace airlock::net {

// Resolves `host` (numeric addresses skip the resolver) and connects with a deadline.
// Errors carry SQLSTATE 08001 and name the host:port, never a password.
awaitable<Result<tcp::socket>> connect_tcp(std::string host, std::uint16_t port,
                                           std::chrono::milliseconds timeout);

}  // namespace airlock::net
