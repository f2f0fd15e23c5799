#pragma once
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "core/error.hpp"

namespace airlock::net {

// Server context for clients: TLS 1.2 or newer, the given PEM certificate chain and key.
Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls(const std::string& cert_file,
                                                                   const std::string& key_file);

// Client context for upstream. With `ca_file` set, the server certificate is verified
// against it (and the host name, by Stream::client_tls); without, the channel is encrypted
// but not authenticated (sslmode=require/prefer semantics, as libpq).
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls(const std::string& ca_file);

}  // namespace airlock::net
