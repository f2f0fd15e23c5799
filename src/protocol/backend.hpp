#pragma once
// Backend messages (server -> client): the ones Airlock writes to its clients, and the
// fields of the ones it reads from upstream. protocol-message-formats.html.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "protocol/frame.hpp"

namespace airlock::protocol {

// Authentication request codes ('R' messages).
enum class AuthCode : std::int32_t {
  Ok = 0,
  CleartextPassword = 3,
  Md5Password = 5,
  Sasl = 10,
  SaslContinue = 11,
  SaslFinal = 12,
};

// --- Encoders: each appends one complete message to `out`. -----------------------------

struct ErrorFields {
  const char* severity = "ERROR";  // ERROR, FATAL, WARNING, NOTICE...
  std::string_view sqlstate;
  std::string_view message;
  std::string_view detail;
  std::string_view hint;
};
void append_error(std::string& out, const ErrorFields& f);
void append_notice(std::string& out, const ErrorFields& f);
void append_auth_ok(std::string& out);
void append_auth_sasl(std::string& out);  // offers SCRAM-SHA-256 only
void append_auth_sasl_continue(std::string& out, std::string_view data);
void append_auth_sasl_final(std::string& out, std::string_view data);
void append_parameter_status(std::string& out, std::string_view name, std::string_view value);
void append_backend_key_data(std::string& out, std::uint32_t pid, std::uint32_t secret);
void append_ready_for_query(std::string& out, char status);

// --- Decoders of upstream messages. ---------------------------------------------------

struct AuthRequest {
  AuthCode code = AuthCode::Ok;
  std::string_view data;  // md5: 4-byte salt; SASL: mechanism list or SASL payload
};
Result<AuthRequest> parse_auth_request(const Frame& f);

// The fields of an ErrorResponse/NoticeResponse that Airlock uses.
struct ErrorView {
  std::string_view severity;
  std::string_view sqlstate;
  std::string_view message;
  std::string_view detail;
  std::string_view hint;
};
std::optional<ErrorView> parse_error(const Frame& f);

struct ParameterStatus {
  std::string_view name;
  std::string_view value;
};
std::optional<ParameterStatus> parse_parameter_status(const Frame& f);

struct BackendKey {
  std::uint32_t pid = 0;
  std::uint32_t secret = 0;
};
std::optional<BackendKey> parse_backend_key_data(const Frame& f);

// 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block.
std::optional<char> parse_ready_for_query(const Frame& f);

// True for every message type a PostgreSQL 15 server may send after startup.
bool is_backend_message_type(char type) noexcept;

}  // namespace airlock::protocol
