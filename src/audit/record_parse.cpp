// parse(): reads a record line. Lines are written by serialize() only, so this accepts
// exactly that form of JSON (no whitespace, no duplicate keys, string, integer and
// string-list values) and calls anything else not a record. It is on the path of verify
// and sync_index, which read every line of a trail: a general JSON DOM costs 5-10x more.
#include <cctype>
#include <charconv>

#include "audit/record.hpp"

namespace airlock::audit {
namespace {

class LineParser {
 public:
  explicit LineParser(std::string_view s) : s_(s) {}

  Result<Record> record() {
    Record r;
    r.kind.clear();
    if (!eat('{')) return bad("not a JSON object");
    std::uint32_t seen = 0;
    bool has_seq = false;
    do {
      std::string key;
      if (!string(key) || !eat(':')) return bad("not valid JSON");
      const int id = key_id(key);
      if (id < 0) return bad("unknown key '" + key + "'");
      if (seen & (1u << id)) return bad("duplicate key '" + key + "'");
      seen |= 1u << id;
      if (key == "seq") {
        std::int64_t v = 0;
        if (!integer(v) || v < 0) return bad("seq is not a number");
        r.seq = static_cast<std::uint64_t>(v);
        has_seq = true;
      } else if (key == "tables") {
        if (!string_list(r.tables)) return bad("tables is not a list of strings");
      } else if (auto* n = int_member(r, key)) {
        std::int64_t v = 0;
        if (!integer(v)) return bad(key + " is not an integer");
        *n = v;
      } else if (!string(*text_member(r, key))) {
        return bad(key + " is not a string");
      }
    } while (eat(','));
    if (!eat('}') || i_ != s_.size()) return bad("not valid JSON");
    // The keys serialize() always writes.
    const auto bit = [](std::string_view k) { return 1u << key_id(k); };
    const std::uint32_t required = bit("seq") | bit("time") | bit("kind") | bit("prev");
    if (!has_seq || (seen & required) != required) return bad("seq, time, kind or prev missing");
    return r;
  }

 private:
  static std::unexpected<Error> bad(std::string why) {
    return fail(sqlstate::kInternalError, std::move(why));
  }

  static int key_id(std::string_view k) {
    static constexpr std::string_view kKeys[] = {"seq",
                                                 "time",
                                                 "kind",
                                                 "agent",
                                                 "session",
                                                 "ref",
                                                 "client",
                                                 "application_name",
                                                 "mode",
                                                 "front",
                                                 "tool",
                                                 "request_id",
                                                 "token",
                                                 "intent",
                                                 "statement",
                                                 "fingerprint",
                                                 "tables",
                                                 "decision",
                                                 "rule",
                                                 "reason",
                                                 "rows_changed",
                                                 "row_limit",
                                                 "guard",
                                                 "approval_id",
                                                 "duration_us",
                                                 "sqlstate",
                                                 "error",
                                                 "prev",
                                                 "hash"};
    for (int i = 0; i < static_cast<int>(std::size(kKeys)); ++i) {
      if (kKeys[i] == k) return i;
    }
    return -1;
  }

  static std::string* text_member(Record& r, std::string_view k) {
    if (k == "time") return &r.time;
    if (k == "kind") return &r.kind;
    if (k == "agent") return &r.agent;
    if (k == "session") return &r.session;
    if (k == "client") return &r.client;
    if (k == "application_name") return &r.application_name;
    if (k == "mode") return &r.mode;
    if (k == "front") return &r.front;
    if (k == "tool") return &r.tool;
    if (k == "request_id") return &r.request_id;
    if (k == "token") return &r.token;
    if (k == "intent") return &r.intent;
    if (k == "statement") return &r.statement;
    if (k == "fingerprint") return &r.fingerprint;
    if (k == "decision") return &r.decision;
    if (k == "rule") return &r.rule;
    if (k == "reason") return &r.reason;
    if (k == "guard") return &r.guard;
    if (k == "approval_id") return &r.approval_id;
    if (k == "sqlstate") return &r.sqlstate;
    if (k == "error") return &r.error;
    if (k == "prev") return &r.prev;
    return &r.hash;
  }

  static std::optional<std::int64_t>* int_member(Record& r, std::string_view k) {
    if (k == "ref") return &r.ref;
    if (k == "rows_changed") return &r.rows_changed;
    if (k == "row_limit") return &r.row_limit;
    if (k == "duration_us") return &r.duration_us;
    return nullptr;
  }

  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  bool integer(std::int64_t& out) {
    const char* begin = s_.data() + i_;
    const char* end = s_.data() + s_.size();
    const char* digits = begin + (begin < end && *begin == '-' ? 1 : 0);
    if (digits < end && *digits == '0' && digits + 1 < end &&
        std::isdigit(static_cast<unsigned char>(digits[1])))
      return false;  // JSON has no leading zeros
    auto [p, ec] = std::from_chars(begin, end, out);
    if (ec != std::errc{} || p == begin) return false;
    i_ = static_cast<std::size_t>(p - s_.data());
    return true;
  }

  bool hex4(std::uint32_t& out) {
    if (i_ + 4 > s_.size()) return false;
    out = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[i_++];
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }

  static void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool escape(std::string& out) {
    if (i_ >= s_.size()) return false;
    switch (s_[i_++]) {
      case '"':
        out.push_back('"');
        return true;
      case '\\':
        out.push_back('\\');
        return true;
      case '/':
        out.push_back('/');
        return true;
      case 'b':
        out.push_back('\b');
        return true;
      case 'f':
        out.push_back('\f');
        return true;
      case 'n':
        out.push_back('\n');
        return true;
      case 'r':
        out.push_back('\r');
        return true;
      case 't':
        out.push_back('\t');
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    std::uint32_t cp = 0;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {  // a surrogate pair
      std::uint32_t low = 0;
      if (!eat('\\') || !eat('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    put_utf8(out, cp);
    return true;
  }

  bool string(std::string& out) {
    if (!eat('"')) return false;
    out.clear();
    while (i_ < s_.size()) {
      const std::size_t run = s_.find_first_of("\"\\", i_);
      if (run == std::string_view::npos) return false;
      for (std::size_t k = i_; k < run; ++k) {
        if (static_cast<unsigned char>(s_[k]) < 0x20) return false;  // raw control character
      }
      out.append(s_.substr(i_, run - i_));
      i_ = run + 1;
      if (s_[run] == '"') return true;
      if (!escape(out)) return false;
    }
    return false;
  }

  bool string_list(std::vector<std::string>& out) {
    if (!eat('[')) return false;
    if (eat(']')) return true;
    do {
      out.emplace_back();
      if (!string(out.back())) return false;
    } while (eat(','));
    return eat(']');
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

Result<Record> parse(std::string_view line) { return LineParser(line).record(); }

}  // namespace airlock::audit
