#pragma once
// Frontend messages (client -> server): the ones Airlock writes upstream, and the fields of
// the ones it reads from clients. protocol-message-formats.html.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/frame.hpp"

namespace airlock::protocol {

// --- Encoders ---------------------------------------------------------------------------
void append_startup(std::string& out,
                    const std::vector<std::pair<std::string, std::string>>& params);
void append_ssl_request(std::string& out);
void append_cancel_request(std::string& out, std::uint32_t pid, std::uint32_t secret);
void append_sasl_initial_response(std::string& out, std::string_view mechanism,
                                  std::string_view data);
void append_sasl_response(std::string& out, std::string_view data);
void append_password(std::string& out, std::string_view password);
void append_terminate(std::string& out);
void append_query(std::string& out, std::string_view sql);
void append_sync(std::string& out);

// --- Decoders of client messages ---------------------------------------------------------
struct SaslInitialResponse {
  std::string_view mechanism;
  std::string_view data;  // empty when the client sent length -1
};
std::optional<SaslInitialResponse> parse_sasl_initial_response(const Frame& f);

// Query ('Q'): the SQL text, without its terminator.
std::optional<std::string_view> parse_query(const Frame& f);

struct ParseMessage {
  std::string_view statement;  // "" = unnamed
  std::string_view query;
  std::uint16_t param_type_count = 0;
  std::string_view param_types;  // raw: the count and the type OIDs, as sent
};
std::optional<ParseMessage> parse_parse(const Frame& f);

// Bind: the portal and statement names, and everything after them (parameter formats,
// values and result formats) as one opaque span, so a Bind can be re-issued under other names.
struct BindMessage {
  std::string_view portal;
  std::string_view statement;
  std::string_view rest;
};
std::optional<BindMessage> parse_bind(const Frame& f);

// Execute: portal and row limit (0 = all rows).
struct ExecuteMessage {
  std::string_view portal;
  std::int32_t max_rows = 0;
};
std::optional<ExecuteMessage> parse_execute(const Frame& f);

// Describe and Close: 'S' (statement) or 'P' (portal) and the name.
struct TargetMessage {
  char kind = 'S';
  std::string_view name;
};
std::optional<TargetMessage> parse_target(const Frame& f);

// Extended-protocol messages Airlock issues itself (the row guard).
// `param_types`: as ParseMessage::param_types ("" = none declared).
void append_parse(std::string& out, std::string_view statement, std::string_view sql,
                  std::string_view param_types = {});
// Bind with no parameters and text results; or with `rest` taken from a client's Bind.
void append_bind(std::string& out, std::string_view portal, std::string_view statement,
                 std::string_view rest = {});
void append_describe(std::string& out, char kind, std::string_view name);
void append_execute(std::string& out, std::string_view portal, std::int32_t max_rows = 0);
void append_close(std::string& out, char kind, std::string_view name);
void append_flush(std::string& out);

// True for every message type a client may send after startup (protocol 3.0).
bool is_frontend_message_type(char type) noexcept;

}  // namespace airlock::protocol
