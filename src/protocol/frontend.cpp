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
  p.param_types = f.body.substr(p.statement.size() + p.query.size() + 2);
  return p;
}

std::optional<BindMessage> parse_bind(const Frame& f) {
  if (f.type != 'B') return std::nullopt;
  FieldReader r(f.body);
  BindMessage b;
  b.portal = r.cstring();
  b.statement = r.cstring();
  if (!r.ok()) return std::nullopt;
  b.rest = f.body.substr(b.portal.size() + b.statement.size() + 2);
  return b;
}

std::optional<ExecuteMessage> parse_execute(const Frame& f) {
  if (f.type != 'E') return std::nullopt;
  FieldReader r(f.body);
  ExecuteMessage e;
  e.portal = r.cstring();
  e.max_rows = r.i32();
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return e;
}

std::optional<TargetMessage> parse_target(const Frame& f) {
  if (f.type != 'D' && f.type != 'C') return std::nullopt;
  FieldReader r(f.body);
  TargetMessage t;
  t.kind = r.byte();
  t.name = r.cstring();
  if (!r.ok() || !r.at_end() || (t.kind != 'S' && t.kind != 'P')) return std::nullopt;
  return t;
}

void append_parse(std::string& out, std::string_view statement, std::string_view sql,
                  std::string_view param_types) {
  MessageBuilder b(out);
  b.begin('P').cstring(statement).cstring(sql);
  if (param_types.empty()) b.i16(0);
  else b.bytes(param_types);
  b.end();
}

void append_bind(std::string& out, std::string_view portal, std::string_view statement,
                 std::string_view rest) {
  MessageBuilder b(out);
  b.begin('B').cstring(portal).cstring(statement);
  if (rest.empty()) b.i16(0).i16(0).i16(0);  // no parameter formats, no values, text results
  else b.bytes(rest);
  b.end();
}

void append_describe(std::string& out, char kind, std::string_view name) {
  MessageBuilder b(out);
  b.begin('D').byte(kind).cstring(name).end();
}

void append_execute(std::string& out, std::string_view portal, std::int32_t max_rows) {
  MessageBuilder b(out);
  b.begin('E').cstring(portal).i32(max_rows).end();
}

void append_close(std::string& out, char kind, std::string_view name) {
  MessageBuilder b(out);
  b.begin('C').byte(kind).cstring(name).end();
}

void append_flush(std::string& out) {
  MessageBuilder b(out);
  b.begin('H').end();
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
