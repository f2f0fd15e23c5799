#include "app/approvals_view.hpp"

#include <algorithm>
#include <cstdio>

#include "state/time_text.hpp"

namespace airlock::app {
namespace {

constexpr std::size_t kSqlColumn = 60;  // characters of SQL in the table

std::string hex_escape(unsigned value, const char* format) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

// Code points that reorder or hide text (Trojan Source, CVE-2021-42574), C1 controls and
// line separators some terminals honour.
bool is_format_control(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

// Length of the well-formed UTF-8 sequence at s[i] and its code point; 0 when malformed.
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t len = b >= 0xf0 && b <= 0xf4   ? 4
                    : b >= 0xe0 && b < 0xf0  ? 3
                    : b >= 0xc2 && b < 0xe0  ? 2
                                             : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = b & (0x7f >> len);
  for (std::size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3f);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

// Whitespace runs (newlines included) become one space: a statement fits on one line.
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

// At most `width` code points, the last one "…" when something was cut; never cuts inside
// a UTF-8 sequence.
std::string shorten(const std::string& text, std::size_t width) {
  if (display_width(text) <= width) return text;
  std::size_t points = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0) == 0x80) continue;
    if (points++ == width - 1) return text.substr(0, i) + "…";
  }
  return text;
}

nlohmann::ordered_json time_or_null(std::int64_t ms) {
  return ms == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(state::utc_text(ms));
}

}  // namespace

std::string terminal_safe(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0x20 && b < 0x7f) {
      out += static_cast<char>(b);
      ++i;
    } else if (b < 0x80) {
      bool kept = keep_newlines && (b == '\n' || b == '\t');
      out += kept ? std::string(1, static_cast<char>(b)) : hex_escape(b, "\\x%02X");
      ++i;
    } else {
      std::uint32_t cp = 0;
      std::size_t len = decode(text, i, cp);
      if (len == 0) {
        out += hex_escape(b, "\\x%02X");
        ++i;
      } else {
        out += is_format_control(cp) ? hex_escape(cp, "\\u{%04X}")
                                     : std::string(text.substr(i, len));
        i += len;
      }
    }
  }
  return out;
}

std::string age_text(std::int64_t then_ms, std::int64_t now_ms) {
  std::int64_t s = std::max<std::int64_t>(0, (now_ms - then_ms) / 1000);
  if (s < 120) return std::to_string(s) + "s";
  if (s < 2 * 3600) return std::to_string(s / 60) + "m";
  if (s < 2 * 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string approvals_table(const std::vector<state::Approval>& approvals, std::int64_t now_ms) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "AGENT", "STATUS", "AGE", "ROWS", "RULE", "SQL"}};
  for (const auto& a : approvals) {
    rows.push_back({a.id, terminal_safe(a.agent, false), std::string(state::to_string(a.status)),
                    age_text(a.created_ms, now_ms), a.rows ? std::to_string(*a.rows) : "-",
                    terminal_safe(a.rule, false),
                    shorten(terminal_safe(one_line(a.sql), false), kSqlColumn)});
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out += std::string(widths[c] - display_width(row[c]) + 2, ' ');
    }
    out += '\n';
  }
  return out;
}

std::string approval_details(const state::Approval& a, std::int64_t now_ms) {
  std::string out;
  auto line = [&out](const char* key, const std::string& value) {
    out += key;
    out += std::string(10 - std::string_view(key).size(), ' ') + value + "\n";
  };
  std::string status(state::to_string(a.status));
  if (a.status == state::ApprovalStatus::Pending || a.status == state::ApprovalStatus::Approved) {
    status += " (expires " + state::utc_text(a.expires_ms) + ")";
  } else if (a.status == state::ApprovalStatus::Expired) {
    status += " (at " + state::utc_text(a.expires_ms) + ")";
  }
  line("id:", a.id);
  line("agent:", terminal_safe(a.agent, false));
  line("status:", status);
  line("created:", state::utc_text(a.created_ms) + " (" + age_text(a.created_ms, now_ms) + " ago)");
  if (a.decided_ms != 0) {
    line("decided:", state::utc_text(a.decided_ms) + " by " + terminal_safe(a.decided_by, false));
  }
  if (!a.note.empty()) line("note:", terminal_safe(a.note, false));
  if (a.executed_ms != 0) line("executed:", state::utc_text(a.executed_ms));
  line("rule:", terminal_safe(a.rule, false));
  if (!a.reason.empty()) line("reason:", terminal_safe(a.reason, false));
  line("rows:", a.rows ? std::to_string(*a.rows) : "unknown");
  line("params:", terminal_safe(a.params, false));
  out += "sql:\n";
  std::string sql = terminal_safe(a.sql, true);
  while (!sql.empty() && sql.back() == '\n') sql.pop_back();
  std::size_t start = 0;
  while (start <= sql.size()) {
    std::size_t end = std::min(sql.find('\n', start), sql.size());
    out += "  " + sql.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}

nlohmann::ordered_json approval_json(const state::Approval& a) {
  nlohmann::ordered_json out;
  out["id"] = a.id;
  out["agent"] = a.agent;
  out["status"] = std::string(state::to_string(a.status));
  out["rule"] = a.rule;
  out["reason"] = a.reason;
  out["rows"] = a.rows ? nlohmann::ordered_json(*a.rows) : nlohmann::ordered_json(nullptr);
  out["sql"] = a.sql;
  // params is stored as JSON text; kept as text if it somehow is not.
  auto params = nlohmann::ordered_json::parse(a.params, nullptr, false);
  out["params"] = params.is_discarded() ? nlohmann::ordered_json(a.params) : params;
  out["statement_hash"] = a.statement_hash;
  out["created_at"] = state::utc_text(a.created_ms);
  out["expires_at"] = state::utc_text(a.expires_ms);
  out["decided_at"] = time_or_null(a.decided_ms);
  out["decided_by"] = a.decided_by;
  out["note"] = a.note;
  out["executed_at"] = time_or_null(a.executed_ms);
  return out;
}

}  // namespace airlock::app
