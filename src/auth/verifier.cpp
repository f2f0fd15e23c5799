// SCRAM-SHA-256 verifiers: derivation, PostgreSQL's rolpassword text form, mock verifiers.
#include "auth/verifier.hpp"

#include <string>

#include "auth/crypto.hpp"
#include "auth/scram.hpp"
#include "auth/scram_parse.hpp"

namespace airlock::auth {
namespace {

constexpr std::string_view kPrefix = "SCRAM-SHA-256$";
constexpr int kMaxStoredIterations = 10'000'000;
// PostgreSQL's defaults (SCRAM_DEFAULT_SALT_LEN, scram_iterations); a mock verifier must look
// like one PostgreSQL would have created.
constexpr std::size_t kMockSaltLen = 16;
constexpr int kMockIterations = 4096;

// Splits "<a><sep><b>" at the first separator; nullopt when it is absent.
std::optional<std::pair<std::string_view, std::string_view>> split_once(std::string_view s,
                                                                        char sep) {
  const std::size_t at = s.find(sep);
  if (at == std::string_view::npos) return std::nullopt;
  return std::pair{s.substr(0, at), s.substr(at + 1)};
}

}  // namespace

ScramVerifier make_verifier(std::string_view password, std::string_view salt, int iterations) {
  const std::string salted = pbkdf2_hmac_sha256(password, salt, iterations);
  ScramVerifier v;
  v.iterations = iterations;
  v.salt = std::string(salt);
  v.stored_key = sha256(scram_client_key(salted));
  v.server_key = scram_server_key(salted);
  return v;
}

std::optional<ScramVerifier> parse_verifier(std::string_view text) {
  if (!text.starts_with(kPrefix)) return std::nullopt;
  text.remove_prefix(kPrefix.size());
  // <iter>:<salt>$<stored>:<server>
  const auto params_keys = split_once(text, '$');
  if (!params_keys) return std::nullopt;
  const auto iter_salt = split_once(params_keys->first, ':');
  const auto stored_server = split_once(params_keys->second, ':');
  if (!iter_salt || !stored_server) return std::nullopt;

  const auto iterations = parse_iterations(iter_salt->first, kMaxStoredIterations);
  auto salt = base64_decode(iter_salt->second);
  auto stored = base64_decode(stored_server->first);
  auto server = base64_decode(stored_server->second);
  if (!iterations || !salt || salt->empty() || !stored || stored->size() != kSha256Len ||
      !server || server->size() != kSha256Len) {
    return std::nullopt;
  }
  return ScramVerifier{*iterations, std::move(*salt), std::move(*stored), std::move(*server)};
}

std::string format_verifier(const ScramVerifier& v) {
  std::string out(kPrefix);
  out += std::to_string(v.iterations);
  out += ':';
  out += base64_encode(v.salt);
  out += '$';
  out += base64_encode(v.stored_key);
  out += ':';
  out += base64_encode(v.server_key);
  return out;
}

ScramVerifier mock_verifier(std::string_view user, std::string_view process_secret) {
  // The salt is stable per user (a changing salt would reveal that the user is unknown) and
  // truncated to PostgreSQL's salt length so its size does not give the mock away. The keys
  // are HMACs under the secret as well: nobody knows a ClientKey hashing to stored_key, so
  // the exchange runs to the end and fails on the proof exactly like a wrong password.
  ScramVerifier v;
  v.iterations = kMockIterations;
  v.salt = hmac_sha256(process_secret, user).substr(0, kMockSaltLen);
  v.stored_key = hmac_sha256(process_secret, std::string("mock stored key\n").append(user));
  v.server_key = hmac_sha256(process_secret, std::string("mock server key\n").append(user));
  return v;
}

}  // namespace airlock::auth
