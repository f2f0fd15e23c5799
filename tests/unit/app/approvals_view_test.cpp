// What `airlock approvals` prints: agent-supplied text never reaches the terminal raw.
#include "app/approvals_view.hpp"

#include <gtest/gtest.h>

namespace airlock::app {
namespace {

struct SafeCase {
  const char* name;
  std::string in;
  bool keep_newlines;
  std::string out;
};

TEST(ApprovalsView, TerminalSafe) {
  const SafeCase cases[] = {
      {"plain", "SELECT 1", false, "SELECT 1"},
      {"escape_sequence", "x\x1b[2Jy", false, "x\\x1B[2Jy"},
      {"carriage_return", "a\rb", true, "a\\x0Db"},
      {"newline_kept", "a\n\tb", true, "a\n\tb"},
      {"newline_escaped", "a\nb", false, "a\\x0Ab"},
      {"del", "a\x7f", false, "a\\x7F"},
      {"bidi_override", "/* \u202e */", false, "/* \\u{202E} */"},
      {"bidi_isolate", "\u2066x\u2069", false, "\\u{2066}x\\u{2069}"},
      {"c1_control", "\xc2\x9b" "2J", false, "\\u{009B}2J"},
      {"line_separator", "a\u2028b", true, "a\\u{2028}b"},
      {"utf8_kept", "café ✓ 𝄞", false, "café ✓ 𝄞"},
      {"invalid_byte", "a\xffz", false, "a\\xFFz"},
      {"truncated_sequence", "a\xe2\x80", false, "a\\xE2\\x80"},
      {"overlong_escape", "\xe0\x80\x9b", false, "\\xE0\\x80\\x9B"},
  };
  for (const auto& c : cases) EXPECT_EQ(terminal_safe(c.in, c.keep_newlines), c.out) << c.name;
}

TEST(ApprovalsView, Age) {
  EXPECT_EQ(age_text(0, 45'000), "45s");
  EXPECT_EQ(age_text(0, 150'000), "2m");
  EXPECT_EQ(age_text(0, 3 * 3'600'000), "3h");
  EXPECT_EQ(age_text(0, 3 * 86'400'000LL), "3d");
  EXPECT_EQ(age_text(10'000, 0), "0s");
}

state::Approval sample() {
  state::Approval a;
  a.id = "apr_00000000000000a1";
  a.agent = "bot";
  a.sql = "UPDATE public.t\n   SET x = 1 /* \x1b]0;pwned\x07 */\n WHERE id = $1 AND note = '" +
          std::string(80, 'y') + "'";
  a.params = R"([7])";
  a.rule = "bot.hold[0]";
  a.created_ms = 1'700'000'000'000;
  a.expires_ms = a.created_ms + 3'600'000;
  return a;
}

TEST(ApprovalsView, TableIsOneLinePerRequestAndShortensSql) {
  std::string table = approvals_table({sample()}, sample().created_ms + 60'000);
  auto first_newline = table.find('\n');
  ASSERT_NE(first_newline, std::string::npos);
  EXPECT_EQ(table.find('\n', first_newline + 1), table.size() - 1);  // header + one row
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
  EXPECT_EQ(table.find('\x07'), std::string::npos);
  EXPECT_NE(table.find("UPDATE public.t SET x = 1 /* \\x1B]0;pwned\\x07 */ WHERE"),
            std::string::npos) << table;
  EXPECT_NE(table.find("…\n"), std::string::npos) << table;
  EXPECT_NE(table.find("60s"), std::string::npos) << table;
}

TEST(ApprovalsView, DetailsKeepTheStatementsLines) {
  std::string text = approval_details(sample(), sample().created_ms);
  EXPECT_NE(text.find("sql:\n  UPDATE public.t\n     SET x = 1"), std::string::npos) << text;
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("status:   pending (expires 2023-11-14T23:13:20Z)"), std::string::npos)
      << text;
}

TEST(ApprovalsView, Json) {
  auto j = approval_json(sample());
  EXPECT_EQ(j["id"], "apr_00000000000000a1");
  EXPECT_EQ(j["status"], "pending");
  EXPECT_TRUE(j["rows"].is_null());
  EXPECT_EQ(j["params"], nlohmann::ordered_json::parse("[7]"));
  EXPECT_EQ(j["created_at"], "2023-11-14T22:13:20Z");
  EXPECT_TRUE(j["decided_at"].is_null());
  state::Approval odd = sample();
  odd.params = "not json";
  EXPECT_EQ(approval_json(odd)["params"], "not json");
}

}  // namespace
}  // namespace airlock::app
