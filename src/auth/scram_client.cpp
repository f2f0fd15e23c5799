// Client side of SCRAM-SHA-256 for Airlock's login to the upstream PostgreSQL server,
// following libpq's fe-auth-scram.c (no channel binding: gs2 header "n,,", empty username).
#include <string>
#include <utility>

#include "auth/crypto.hpp"
#include "auth/scram.hpp"
#include "auth/scram_parse.hpp"

namespace airlock::auth {
namespace {

constexpr std::size_t kClientNonceRawLen = 24;
// Each iteration costs the upstream login two HMACs; bound what a hostile server can demand.
constexpr int kMaxServerIterations = 1'000'000;

std::unexpected<Error> malformed(std::string detail) {
  return fail(sqlstate::kProtocolViolation, "malformed SCRAM message from upstream server",
              std::move(detail));
}

std::unexpected<Error> out_of_order() {
  return fail(sqlstate::kProtocolViolation, "SCRAM exchange message out of order");
}

// RFC 5802 saslname: ',' and '=' are escaped.
std::string escape_saslname(std::string_view user) {
  std::string out;
  for (const char c : user) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

ScramClient::ScramClient(std::string password)
    : ScramClient(std::move(password), base64_encode(random_bytes(kClientNonceRawLen)), {}) {}

ScramClient::ScramClient(std::string password, std::string fixed_nonce, std::string sasl_user)
    : password_(std::move(password)),
      client_nonce_(std::move(fixed_nonce)),
      sasl_user_(std::move(sasl_user)) {}

std::string ScramClient::client_first() {
  client_first_bare_ = "n=" + escape_saslname(sasl_user_) + ",r=" + client_nonce_;
  if (stage_ == Stage::kStart) stage_ = Stage::kFirstSent;
  return "n,," + client_first_bare_;
}

Result<std::string> ScramClient::on_server_first(std::string_view server_first) {
  if (stage_ != Stage::kFirstSent) {
    stage_ = Stage::kDone;
    return out_of_order();
  }
  stage_ = Stage::kDone;  // until proven otherwise
  if (server_first.empty() || has_nul(server_first)) return malformed("empty server-first");
  const auto attrs = split_attributes(server_first);
  if (!attrs) return malformed("bad attribute syntax in server-first-message");
  if (attrs->front().name == 'm') {
    return fail(sqlstate::kFeatureNotSupported,
                "upstream server requires an unsupported SCRAM extension");
  }
  if (attrs->size() != 3 || (*attrs)[0].name != 'r' || (*attrs)[1].name != 's' ||
      (*attrs)[2].name != 'i') {
    return malformed("server-first-message must be r=,s=,i=");
  }
  const std::string_view nonce = (*attrs)[0].value;
  if (!nonce.starts_with(client_nonce_) || nonce.size() <= client_nonce_.size() ||
      !valid_nonce(nonce)) {
    return malformed("SCRAM nonce mismatch");
  }
  const auto salt = base64_decode((*attrs)[1].value);
  if (!salt || salt->empty()) return malformed("invalid salt in server-first-message");
  const auto iterations = parse_iterations((*attrs)[2].value, kMaxServerIterations);
  if (!iterations) return malformed("iteration count missing or out of range");

  const std::string salted = pbkdf2_hmac_sha256(password_, *salt, *iterations);
  const std::string client_key = scram_client_key(salted);
  const std::string stored_key = sha256(client_key);
  const std::string final_without_proof = "c=biws,r=" + std::string(nonce);
  const std::string auth_message =
      client_first_bare_ + "," + std::string(server_first) + "," + final_without_proof;
  const std::string proof = xor_bytes(client_key, hmac_sha256(stored_key, auth_message));
  expected_server_signature_ = hmac_sha256(scram_server_key(salted), auth_message);
  stage_ = Stage::kFinalSent;
  return final_without_proof + ",p=" + base64_encode(proof);
}

Status ScramClient::on_server_final(std::string_view server_final) {
  if (stage_ != Stage::kFinalSent) {
    stage_ = Stage::kDone;
    return out_of_order();
  }
  stage_ = Stage::kDone;
  if (server_final.empty() || has_nul(server_final)) return malformed("empty server-final");
  const auto attrs = split_attributes(server_final);
  if (!attrs || attrs->size() != 1) return malformed("bad server-final-message");
  const ScramAttr& attr = attrs->front();
  if (attr.name == 'e') {
    return fail(sqlstate::kInvalidPassword, "upstream server rejected SCRAM authentication",
                "server-error: " + std::string(attr.value));
  }
  if (attr.name != 'v') return malformed("server-final-message must be v= or e=");
  const auto signature = base64_decode(attr.value);
  if (!signature || signature->size() != kSha256Len) return malformed("malformed signature");
  if (!constant_time_equal(*signature, expected_server_signature_)) {
    return fail(sqlstate::kProtocolViolation, "upstream server signature mismatch",
                "the upstream server does not know the password's verifier");
  }
  return {};
}

}  // namespace airlock::auth
