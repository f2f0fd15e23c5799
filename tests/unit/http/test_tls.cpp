#include "test_tls.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "net/asio.hpp"

namespace airlock::http::testing {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::asio::ip::tcp;

namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

std::string to_pem(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return pem;
}

void add_ext(X509* x, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(ext != nullptr && X509_add_ext(x, ext, -1) == 1, "extension");
  X509_EXTENSION_free(ext);
}

}  // namespace

TestCert make_self_signed_cert() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  check(key != nullptr, "key");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("airlock-test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  add_ext(x, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(x, NID_subject_alt_name, "IP:127.0.0.1");
  check(X509_sign(x, key, EVP_sha256()) > 0, "sign");
  TestCert out;
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, x);
  out.cert_pem = to_pem(cert_bio);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = to_pem(key_bio);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

struct TlsTestServer::State {
  asio::io_context ioc;
  ssl::context ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<std::string> requests;
};

TlsTestServer::TlsTestServer(const TestCert& cert) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.ctx.use_certificate_chain(asio::buffer(cert.cert_pem));
  s.ctx.use_private_key(asio::buffer(cert.key_pem), ssl::context::pem);
  s.thread = std::thread([&s] {
    for (;;) {
      tcp::socket sock(s.ioc);
      boost::system::error_code ec;
      s.acceptor.accept(sock, ec);
      if (ec || s.stopping) return;
      ssl::stream<tcp::socket> stream(std::move(sock), s.ctx);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) continue;  // e.g. the client refused the certificate
      std::string data;
      char buf[4096];
      while (!ec && data.find("\r\n\r\n") == std::string::npos) {
        data.append(buf, stream.read_some(asio::buffer(buf), ec));
      }
      std::size_t head_end = data.find("\r\n\r\n");
      std::size_t cl = data.find("Content-Length: ");
      std::size_t need = head_end + 4 + (cl < head_end ? std::stoul(data.substr(cl + 16)) : 0);
      while (!ec && data.size() < need) data.append(buf, stream.read_some(asio::buffer(buf), ec));
      asio::write(stream,
                  asio::buffer(std::string("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")),
                  ec);
      {
        std::lock_guard lock(s.mutex);
        s.requests.push_back(std::move(data));
      }
      s.cv.notify_all();
    }
  });
}

TlsTestServer::~TlsTestServer() {
  State& s = *state_;
  s.stopping = true;
  boost::system::error_code ec;
  tcp::socket poke(s.ioc);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port()), ec);
  s.thread.join();
}

std::uint16_t TlsTestServer::port() const { return state_->acceptor.local_endpoint().port(); }

std::vector<std::string> TlsTestServer::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  state_->cv.wait_for(lock, timeout, [&] { return state_->requests.size() >= n; });
  return state_->requests;
}

}  // namespace airlock::http::testing
