#pragma once
// The HTTPS client side shared by the approval webhook and `airlock mcp stdio`: a context
// that verifies the server's certificate (against a CA file or the system's trust store)
// and, per connection, SNI plus a check of the host name.
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "http/url.hpp"

namespace airlock::http {

// TLS 1.2 or newer, peer verification on. `ca_file` "" = the system's trust store. Errors
// start with `who` ("webhook", "mcp stdio").
Result<std::unique_ptr<boost::asio::ssl::context>> make_verifying_client_tls(
    const std::string& ca_file, std::string_view who);

bool is_ip_address(const std::string& host);

// The Host header for `url`: [v6] addresses bracketed, the port only when not the default.
std::string host_header(const Url& url);

// scheme://host[:port], for logs and messages: never the path (it may carry a token).
std::string origin_text(const Url& url);

// Before the handshake on `stream` (an ssl_stream): SNI for host names (RFC 6066), and the
// certificate is checked against `host` (its DNS or IP subjectAltName).
template <class SslStream>
void verify_server_name(SslStream& stream, const std::string& host) {
  if (!is_ip_address(host)) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
}

}  // namespace airlock::http
