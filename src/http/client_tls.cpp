#include "http/client_tls.hpp"

#include <boost/asio/ip/address.hpp>

namespace airlock::http {

namespace ssl = boost::asio::ssl;
using boost::system::error_code;

Result<std::unique_ptr<ssl::context>> make_verifying_client_tls(const std::string& ca_file,
                                                                std::string_view who) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  error_code ec;
  ctx->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1,
                   ec);
  if (!ec) {
    if (ca_file.empty())
      ctx->set_default_verify_paths(ec);
    else
      ctx->load_verify_file(ca_file, ec);
  }
  if (!ec) ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) {
    return fail(sqlstate::kInternalError,
                std::string(who) + ": cannot load CA certificates" +
                    (ca_file.empty() ? std::string() : " from " + ca_file) + ": " + ec.message());
  }
  return ctx;
}

bool is_ip_address(const std::string& host) {
  error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  return !ec;
}

std::string host_header(const Url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != (url.tls ? 443 : 80)) host += ":" + std::to_string(url.port);
  return host;
}

std::string origin_text(const Url& url) {
  return (url.tls ? "https://" : "http://") + host_header(url);
}

}  // namespace airlock::http
