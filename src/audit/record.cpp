#include "audit/record.hpp"

#include <charconv>
#include <cstdio>
#include <ctime>

namespace airlock::audit {
namespace {

void key(std::string& out, const char* name) {
  out += ",\"";
  out += name;
  out += "\":";
}

void text_field(std::string& out, const char* name, const std::string& value) {
  if (value.empty()) return;
  key(out, name);
  append_json_string(out, value);
}

void int_field(std::string& out, const char* name, const std::optional<std::int64_t>& value) {
  if (!value) return;
  key(out, name);
  out += std::to_string(*value);
}

}  // namespace

std::string serialize_fields(const Record& r) {
  std::string out;
  out.reserve(128 + r.statement.size() + r.reason.size() + r.error.size());
  key(out, "kind");  // always present, even empty: a record says what kind it is
  append_json_string(out, r.kind);
  text_field(out, "agent", r.agent);
  text_field(out, "session", r.session);
  int_field(out, "ref", r.ref);
  text_field(out, "client", r.client);
  text_field(out, "application_name", r.application_name);
  text_field(out, "mode", r.mode);
  text_field(out, "front", r.front);
  text_field(out, "tool", r.tool);
  text_field(out, "request_id", r.request_id);
  text_field(out, "token", r.token);
  text_field(out, "intent", r.intent);
  text_field(out, "statement", r.statement);
  text_field(out, "fingerprint", r.fingerprint);
  if (!r.tables.empty()) {
    key(out, "tables");
    out.push_back('[');
    for (std::size_t i = 0; i < r.tables.size(); ++i) {
      if (i > 0) out.push_back(',');
      append_json_string(out, r.tables[i]);
    }
    out.push_back(']');
  }
  text_field(out, "decision", r.decision);
  text_field(out, "rule", r.rule);
  text_field(out, "reason", r.reason);
  int_field(out, "rows_changed", r.rows_changed);
  int_field(out, "row_limit", r.row_limit);
  text_field(out, "guard", r.guard);
  text_field(out, "approval_id", r.approval_id);
  int_field(out, "duration_us", r.duration_us);
  text_field(out, "sqlstate", r.sqlstate);
  text_field(out, "error", r.error);
  return out;
}

std::string serialize_body(std::uint64_t seq, std::string_view time, std::string_view fields,
                           std::string_view prev) {
  std::string out;
  out.reserve(fields.size() + time.size() + prev.size() + 120);
  out += "{\"seq\":";
  out += std::to_string(seq);
  out += ",\"time\":";
  append_json_string(out, time);
  out += fields;
  out += ",\"prev\":";
  append_json_string(out, prev);
  out.push_back('}');
  return out;
}

std::string serialize(const Record& r) {
  std::string line = serialize_body(r.seq, r.time, serialize_fields(r), r.prev);
  line.pop_back();
  line += ",\"hash\":";
  append_json_string(line, r.hash);
  line.push_back('}');
  return line;
}

std::string format_time(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  const int millis = static_cast<int>(((ms % 1000) + 1000) % 1000);
  // The seconds part is formatted once per second and thread (one record per statement).
  thread_local std::time_t last_secs = -1;
  thread_local std::string last_text;
  if (secs != last_secs) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    last_text.assign(buf, n);
    last_secs = secs;
  }
  std::string out;
  out.reserve(24);
  out = last_text;
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", millis);
  out += frac;
  return out;
}

std::optional<std::int64_t> parse_time_ms(std::string_view s) {
  // Exactly the form format_time writes: YYYY-MM-DDTHH:MM:SS.mmmZ
  if (s.size() != 24 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != '.' || s[23] != 'Z')
    return std::nullopt;
  const auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, v);
    if (ec != std::errc{} || p != s.data() + pos + len) return std::nullopt;
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
       se = num(17, 2), ms = num(20, 3);
  if (!y || !mo || !d || !h || !mi || !se || !ms) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *y - 1900;
  tm.tm_mon = *mo - 1;
  tm.tm_mday = *d;
  tm.tm_hour = *h;
  tm.tm_min = *mi;
  tm.tm_sec = *se;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000 + *ms;
}

}  // namespace airlock::audit
