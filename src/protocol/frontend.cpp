#include "protocol/frontend.hpp"

#include "protocol/builder.hpp"
#include "protocol/field_reader.hpp"
#include "protocol/startup.hpp"

namespace airlock::protocol {

void append_startup(std::string& out,
                    const std::vector<std::pair<std::string, std::string>>& params) {
  MessageBuilder b(out);
  b.begin(0).i32(static_cast<std::int32_t>(kProtocolV3));
  for (const auto& [k, v] : params) b.cstring(k).cstring(v);
  b.byte('\0').end();
}

void append_ssl_request(std::string& out) {
  MessageBuilder b(out);
  b.begin(0).i32(static_cast<std::int32_t>(kSslRequestCode)).end();
}

void append_cancel_request(std::string& out, std::uint32_t pid, std::uint32_t secret) {
  MessageBuilder b(out);
  b.begin(0)
      .i32(static_cast<std::int32_t>(kCancelRequestCode))
      .i32(static_cast<std::int32_t>(pid))
      .i32(static_cast<std::int32_t>(secret))
      .end();
}

void append_sasl_initial_response(std::string& out, std::string_view mechanism,
                                  std::string_view data) {
  MessageBuilder b(out);
  b.begin('p').cstring(mechanism).i32(static_cast<std::int32_t>(data.size())).bytes(data).end();
}

void append_sasl_response(std::string& out, std::string_view data) {
  MessageBuilder b(out);
  b.begin('p').bytes(data).end();
}

void append_password(std::string& out, std::string_view password) {
  MessageBuilder b(out);
  b.begin('p').cstring(password).end();
}

void append_terminate(std::string& out) {
  MessageBuilder b(out);
  b.begin('X').end();
}

void append_query(std::string& out, std::string_view sql) {
  MessageBuilder b(out);
  b.begin('Q').cstring(sql).end();
}

void append_sync(std::string& out) {
  MessageBuilder b(out);
  b.begin('S').end();
}

std::optional<SaslInitialResponse> parse_sasl_initial_response(const Frame& f) {
  if (f.type != 'p') return std::nullopt;
  FieldReader r(f.body);
  SaslInitialResponse s;
  s.mechanism = r.cstring();
  const std::int32_t len = r.i32();
  if (!r.ok()) return std::nullopt;
  if (len != -1) s.data = r.bytes(len);
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return s;
}

std::optional<std::string_view> parse_query(const Frame& f) {
  if (f.type != 'Q') return std::nullopt;
  FieldReader r(f.body);
  std::string_view sql = r.cstring();
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return sql;
}

std::optional<ParseMessage> parse_parse(const Frame& f) {
  if (f.type != 'P') return std::nullopt;
  FieldReader r(f.body);
  ParseMessage p;
  p.statement = r.cstring();
  p.query = r.cstring();
  const std::int16_t n = r.i16();
  if (!r.ok() || n < 0) return std::nullopt;
  r.bytes(std::int64_t{n} * 4);
  if (!r.ok() || !r.at_end()) return std::nullopt;
  p.param_type_count = static_cast<std::uint16_t>(n);
  return p;
}

bool is_frontend_message_type(char type) noexcept {
  switch (type) {
    case 'B': case 'C': case 'd': case 'c': case 'f': case 'D': case 'E': case 'H':
    case 'F': case 'P': case 'p': case 'Q': case 'S': case 'X':
      return true;
    default:
      return false;
  }
}

}  // namespace airlock::protocol
