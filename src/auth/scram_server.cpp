// Server side of SCRAM-SHA-256, following PostgreSQL's auth-scram.c: no channel binding is
// offered, the client-first username is ignored, optional extensions are ignored and the
// mandatory-extension marker "m=" is refused.
#include <string>
#include <utility>

#include "auth/crypto.hpp"
#include "auth/scram.hpp"
#include "auth/scram_parse.hpp"

namespace airlock::auth {
namespace {

// PostgreSQL's SCRAM_RAW_NONCE_LEN.
constexpr std::size_t kServerNonceRawLen = 18;

std::unexpected<Error> malformed(std::string detail) {
  return fail(sqlstate::kProtocolViolation, "malformed SCRAM message", std::move(detail));
}

std::unexpected<Error> out_of_order() {
  return fail(sqlstate::kProtocolViolation, "SCRAM exchange message out of order");
}

struct ClientFirst {
  std::string_view cbind;  // expected "c=" value
  std::string_view bare;
  std::string_view nonce;
};

Result<ClientFirst> parse_client_first(std::string_view msg) {
  if (msg.empty() || has_nul(msg)) return malformed("empty client-first-message or NUL byte");
  ClientFirst out;
  switch (msg.front()) {
    case 'n': out.cbind = "biws"; break;
    case 'y': out.cbind = "eSws"; break;
    case 'p':
      return malformed("client selected channel binding, which was not offered");
    default:
      return malformed("unexpected channel-binding flag in client-first-message");
  }
  if (msg.size() < 2 || msg[1] != ',') return malformed("comma expected after gs2 flag");
  msg.remove_prefix(2);
  if (msg.starts_with("a=")) {
    return fail(sqlstate::kFeatureNotSupported,
                "client uses authorization identity, but it is not supported");
  }
  if (!msg.starts_with(',')) return malformed("unexpected gs2 header in client-first-message");
  msg.remove_prefix(1);
  out.bare = msg;

  const auto attrs = split_attributes(msg);
  if (!attrs) return malformed("bad attribute syntax in client-first-message");
  if (attrs->front().name == 'm') {
    return fail(sqlstate::kFeatureNotSupported,
                "client requires an unsupported SCRAM extension");
  }
  // n=<user> (ignored: the startup packet's user counts), r=<nonce>, then any extensions.
  if (attrs->size() < 2 || (*attrs)[0].name != 'n' || (*attrs)[1].name != 'r') {
    return malformed("client-first-message must start with n= and r=");
  }
  out.nonce = (*attrs)[1].value;
  if (!valid_nonce(out.nonce)) return malformed("invalid client nonce");
  return out;
}

struct ClientFinal {
  std::string_view cbind;
  std::string_view nonce;
  std::string_view without_proof;
  std::string proof;  // raw 32 bytes
};

Result<ClientFinal> parse_client_final(std::string_view msg) {
  if (msg.empty() || has_nul(msg)) return malformed("empty client-final-message or NUL byte");
  const auto attrs = split_attributes(msg);
  if (!attrs) return malformed("bad attribute syntax in client-final-message");
  // c=<cbind>, r=<nonce>, any extensions, and p=<proof> last.
  if (attrs->size() < 3 || (*attrs)[0].name != 'c' || (*attrs)[1].name != 'r') {
    return malformed("client-final-message must start with c= and r=");
  }
  for (std::size_t i = 2; i + 1 < attrs->size(); ++i) {
    if ((*attrs)[i].name == 'p') return malformed("garbage after proof in client-final-message");
  }
  if (attrs->back().name != 'p') return malformed("proof missing in client-final-message");
  auto proof = base64_decode(attrs->back().value);
  if (!proof || proof->size() != kSha256Len) return malformed("malformed proof");
  return ClientFinal{(*attrs)[0].value, (*attrs)[1].value, msg.substr(0, msg.rfind(',')),
                    std::move(*proof)};
}

}  // namespace

ScramServer::ScramServer(ScramVerifier verifier)
    : ScramServer(std::move(verifier), base64_encode(random_bytes(kServerNonceRawLen))) {}

ScramServer::ScramServer(ScramVerifier verifier, std::string fixed_server_nonce)
    : verifier_(std::move(verifier)), server_nonce_(std::move(fixed_server_nonce)) {}

Result<std::string> ScramServer::on_client_first(std::string_view client_first) {
  if (finished_ || first_done_) {
    finished_ = true;
    return out_of_order();
  }
  auto parsed = parse_client_first(client_first);
  if (!parsed) {
    finished_ = true;
    return std::unexpected(std::move(parsed.error()));
  }
  first_done_ = true;
  client_first_bare_ = std::string(parsed->bare);
  expected_cbind_ = std::string(parsed->cbind);
  nonce_ = std::string(parsed->nonce) + server_nonce_;
  server_first_ = "r=" + nonce_ + ",s=" + base64_encode(verifier_.salt) +
                  ",i=" + std::to_string(verifier_.iterations);
  return server_first_;
}

Result<std::string> ScramServer::on_client_final(std::string_view client_final) {
  if (finished_ || !first_done_) {
    finished_ = true;
    return out_of_order();
  }
  finished_ = true;  // exactly one attempt, whatever the outcome
  auto parsed = parse_client_final(client_final);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  if (parsed->cbind != expected_cbind_) {
    return malformed("unexpected SCRAM channel-binding attribute in client-final-message");
  }
  if (parsed->nonce != nonce_) return malformed("SCRAM nonce mismatch");

  const std::string auth_message =
      client_first_bare_ + "," + server_first_ + "," + std::string(parsed->without_proof);
  const std::string client_signature = hmac_sha256(verifier_.stored_key, auth_message);
  const std::string client_key = xor_bytes(parsed->proof, client_signature);
  if (!constant_time_equal(sha256(client_key), verifier_.stored_key)) {
    return fail(sqlstate::kInvalidPassword, "password authentication failed for user",
                "SCRAM proof mismatch");
  }
  return "v=" + base64_encode(hmac_sha256(verifier_.server_key, auth_message));
}

}  // namespace airlock::auth
