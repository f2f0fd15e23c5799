#include "protocol/backend.hpp"

#include "protocol/builder.hpp"
#include "protocol/field_reader.hpp"

namespace airlock::protocol {
namespace {

void append_fields(std::string& out, char type, const ErrorFields& f) {
  MessageBuilder b(out);
  b.begin(type);
  b.byte('S').cstring(f.severity);
  b.byte('V').cstring(f.severity);
  b.byte('C').cstring(f.sqlstate);
  b.byte('M').cstring(f.message);
  if (!f.detail.empty()) b.byte('D').cstring(f.detail);
  if (!f.hint.empty()) b.byte('H').cstring(f.hint);
  b.byte('\0');
  b.end();
}

}  // namespace

void append_error(std::string& out, const ErrorFields& f) { append_fields(out, 'E', f); }
void append_notice(std::string& out, const ErrorFields& f) { append_fields(out, 'N', f); }

void append_auth_ok(std::string& out) {
  MessageBuilder b(out);
  b.begin('R').i32(0).end();
}

void append_auth_sasl(std::string& out) {
  MessageBuilder b(out);
  b.begin('R').i32(static_cast<std::int32_t>(AuthCode::Sasl)).cstring("SCRAM-SHA-256").byte('\0').end();
}

void append_auth_sasl_continue(std::string& out, std::string_view data) {
  MessageBuilder b(out);
  b.begin('R').i32(static_cast<std::int32_t>(AuthCode::SaslContinue)).bytes(data).end();
}

void append_auth_sasl_final(std::string& out, std::string_view data) {
  MessageBuilder b(out);
  b.begin('R').i32(static_cast<std::int32_t>(AuthCode::SaslFinal)).bytes(data).end();
}

void append_parameter_status(std::string& out, std::string_view name, std::string_view value) {
  MessageBuilder b(out);
  b.begin('S').cstring(name).cstring(value).end();
}

void append_backend_key_data(std::string& out, std::uint32_t pid, std::uint32_t secret) {
  MessageBuilder b(out);
  b.begin('K').i32(static_cast<std::int32_t>(pid)).i32(static_cast<std::int32_t>(secret)).end();
}

void append_ready_for_query(std::string& out, char status) {
  MessageBuilder b(out);
  b.begin('Z').byte(status).end();
}

Result<AuthRequest> parse_auth_request(const Frame& f) {
  if (f.type != 'R') return fail(sqlstate::kProtocolViolation, "expected an authentication request");
  FieldReader r(f.body);
  const std::int32_t code = r.i32();
  if (!r.ok()) return fail(sqlstate::kProtocolViolation, "invalid authentication request");
  AuthRequest req;
  req.data = r.rest();
  switch (code) {
    case 0:
    case 3:
      req.code = static_cast<AuthCode>(code);
      if (!req.data.empty()) break;
      return req;
    case 5:
      req.code = AuthCode::Md5Password;
      if (req.data.size() != 4) break;
      return req;
    case 10:
    case 11:
    case 12:
      req.code = static_cast<AuthCode>(code);
      return req;
    default:
      return fail(sqlstate::kFeatureNotSupported, "unsupported upstream authentication method",
                  "authentication code " + std::to_string(code));
  }
  return fail(sqlstate::kProtocolViolation, "invalid authentication request");
}

std::optional<ErrorView> parse_error(const Frame& f) {
  if (f.type != 'E' && f.type != 'N') return std::nullopt;
  FieldReader r(f.body);
  ErrorView v;
  for (;;) {
    const char code = r.byte();
    if (!r.ok()) return std::nullopt;
    if (code == '\0') break;
    std::string_view value = r.cstring();
    if (!r.ok()) return std::nullopt;
    if (code == 'S' && v.severity.empty()) v.severity = value;
    if (code == 'V') v.severity = value;
    if (code == 'C') v.sqlstate = value;
    if (code == 'M') v.message = value;
    if (code == 'D') v.detail = value;
    if (code == 'H') v.hint = value;
  }
  if (!r.at_end()) return std::nullopt;
  return v;
}

std::optional<ParameterStatus> parse_parameter_status(const Frame& f) {
  if (f.type != 'S') return std::nullopt;
  FieldReader r(f.body);
  ParameterStatus p;
  p.name = r.cstring();
  p.value = r.cstring();
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return p;
}

std::optional<BackendKey> parse_backend_key_data(const Frame& f) {
  if (f.type != 'K') return std::nullopt;
  FieldReader r(f.body);
  BackendKey k;
  k.pid = static_cast<std::uint32_t>(r.i32());
  k.secret = static_cast<std::uint32_t>(r.i32());
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return k;
}

std::optional<char> parse_ready_for_query(const Frame& f) {
  if (f.type != 'Z' || f.body.size() != 1) return std::nullopt;
  const char s = f.body[0];
  if (s != 'I' && s != 'T' && s != 'E') return std::nullopt;
  return s;
}

bool is_backend_message_type(char type) noexcept {
  switch (type) {
    case '1': case '2': case '3': case 'A': case 'C': case 'c': case 'D': case 'd':
    case 'E': case 'G': case 'H': case 'I': case 'K': case 'n': case 'N': case 's':
    case 'S': case 't': case 'T': case 'V': case 'W': case 'Z': case 'R': case 'v':
      return true;
    default:
      return false;
  }
}

}  // namespace airlock::protocol
