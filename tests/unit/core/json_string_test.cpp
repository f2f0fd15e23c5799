// sanitize_utf8 and the JSON string writer: whatever the bytes, the text is valid UTF-8
// and parses as JSON back to the sanitized input (a table, then a property over random
// bytes with a fixed seed).
#include "core/json_string.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "core/utf8.hpp"

namespace {

using namespace std::string_literals;

struct Case {
  const char* name;
  std::string in;
  std::string sanitized;
};

class Sanitize : public ::testing::TestWithParam<Case> {};

TEST_P(Sanitize, ReplacesInvalidBytes) {
  EXPECT_EQ(airlock::sanitize_utf8(GetParam().in), GetParam().sanitized);
}

const std::string kFffd = "\xEF\xBF\xBD";

INSTANTIATE_TEST_SUITE_P(
    Cases, Sanitize,
    ::testing::Values(
        Case{"ascii", "SELECT 1", "SELECT 1"}, Case{"empty", "", ""},
        Case{"nul_kept", "a\0b"s, "a\0b"s},
        Case{"fullwidth_semicolon", "1001\xEF\xBC\x9B" "DELETE", "1001\xEF\xBC\x9B" "DELETE"},
        // PostgreSQL's "at or near" cut after two of the three bytes of U+FF1B
        Case{"cut_fullwidth_semicolon", "near \"1001\xEF\xBC\"", "near \"1001" + kFffd + kFffd + "\""},
        Case{"lone_continuation", "\x80x", kFffd + "x"},
        Case{"overlong", "\xC0\xAF", kFffd + kFffd},
        Case{"surrogate", "\xED\xA0\x80", kFffd + kFffd + kFffd},
        Case{"above_max", "\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},
        Case{"four_byte_kept", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},
        Case{"truncated_at_end", "ab\xF0\x9F\x98", "ab" + kFffd + kFffd + kFffd}),
    [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

TEST(JsonString, EscapesAndQuotes) {
  std::string out;
  airlock::append_json_string(out, "a\"b\\c\nd\te\x01\x7F\0"s);
  EXPECT_EQ(out, R"("a\"b\\c\nd\te\u0001\u007f\u0000")");
}

TEST(JsonString, ArbitraryBytesRoundTripToTheSanitizedText) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> len(0, 48);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> pick(0, 3);
  const std::string pieces[] = {"\xEF\xBC\x9B", "\xC3\xA9", "\xF0\x9F\x98\x80", "\"\\"};
  for (int round = 0; round < 20000; ++round) {
    std::string in;
    const int n = len(rng);
    for (int i = 0; i < n; ++i) {
      // Mostly raw bytes, some whole (then maybe cut) multibyte characters.
      if (pick(rng) == 0) in += pieces[pick(rng)];
      else in.push_back(static_cast<char>(byte(rng)));
    }
    if (!in.empty() && pick(rng) == 0) in.pop_back();
    std::string out;
    airlock::append_json_string(out, in);
    ASSERT_TRUE(airlock::valid_utf8(out));
    const auto parsed = nlohmann::json::parse(out, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << out;
    ASSERT_EQ(parsed.get<std::string>(), airlock::sanitize_utf8(in));
    const std::string clean = airlock::sanitize_utf8(in);
    ASSERT_EQ(airlock::sanitize_utf8(clean), clean);  // idempotent
  }
}

}  // namespace
