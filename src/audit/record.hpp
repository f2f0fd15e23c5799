#pragma once
// One audit record: what an agent asked for, what Airlock decided, and what happened. Each
// record is one line of JSON in a trail file (docs/audit.md, "Record format"); keys are
// written in one fixed order and optional fields are omitted when empty, so that the bytes
// of a record, and with them its hash, depend only on its values.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/json_string.hpp"

namespace airlock::audit {

namespace kind {
inline constexpr const char* kIntent = "intent";    // before the statement is forwarded
inline constexpr const char* kOutcome = "outcome";  // after it completed (or failed)
inline constexpr const char* kEvent = "event";      // about the trail or the process itself
inline constexpr const char* kCall = "call";        // a tool call of a front end (MCP)
}  // namespace kind

struct Record {
  // Filled by Writer::append.
  std::uint64_t seq = 0;  // 1, 2, 3, ... across every file of the trail
  std::string time;       // RFC 3339, UTC, milliseconds: 2024-05-01T12:00:00.123Z

  std::string kind = kind::kIntent;
  std::string agent;
  std::string session;  // session id, shared by the intent and outcome records
  std::optional<std::int64_t> ref;  // outcome: the seq of the intent record it answers
  std::string client;   // client address: "10.0.0.5:53122" or "unix"
  std::string application_name;
  std::string mode;                 // enforce | observe | shadow
  std::string front;       // how the statement came in: "" = the wire protocol, "mcp"
  std::string tool;        // call: the tool's name (query, execute, ...)
  std::string request_id;  // call: the front's request id (JSON-RPC id, as JSON text)
  std::string token;       // the just-in-time token the session logged in with (docs/access.md)
  std::string intent;      // the agent's stated intent (docs/access.md, "Justification")
  std::string statement;            // normalized (literals redacted) unless policy keeps them
  std::string fingerprint;          // hash of the normalized text (sql/normalize.hpp)
  std::vector<std::string> tables;  // schema-qualified relations the statement touches
  std::string decision;             // allow | deny | hold
  std::string rule;
  std::string reason;
  // Guard outcome.
  std::optional<std::int64_t> rows_changed;
  std::optional<std::int64_t> row_limit;
  std::string guard;  // committed | rolled_back
  std::string approval_id;
  std::optional<std::int64_t> duration_us;
  std::string sqlstate;  // error, when the statement failed
  std::string error;     // error message (redacted like the statement)

  // Filled by Writer::append: the hash of the record before (64 zeros for the first), and
  // this record's own (chain.hpp).
  std::string prev;
  std::string hash;
};

// The JSON of every field from `kind` to `error`, in canonical order, as `,"key":value`
// pairs (empty when every field is empty). Costly part of a line, computed outside the
// writer's lock.
std::string serialize_fields(const Record& r);

// The line without `hash`, which is what the hash covers:
//   {"seq":N,"time":"...",<fields>,"prev":"..."}
std::string serialize_body(std::uint64_t seq, std::string_view time, std::string_view fields,
                           std::string_view prev);

// The full line (no trailing newline): the body with ,"hash":"..." as its last key.
std::string serialize(const Record& r);

// Reads one line (without its newline). Unknown keys are an error: every byte of a record
// is Airlock's. Never throws.
Result<Record> parse(std::string_view line);

// RFC 3339 with milliseconds in UTC, and back (milliseconds since the epoch).
std::string format_time(std::chrono::system_clock::time_point t);
std::optional<std::int64_t> parse_time_ms(std::string_view rfc3339);

// Appends s as a JSON string (quoted). Invalid UTF-8 becomes U+FFFD so that every line
// stays valid JSON whatever a client sent as application_name (core/json_string.hpp).
using airlock::append_json_string;

}  // namespace airlock::audit
