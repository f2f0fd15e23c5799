#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

struct Case {
  const char* name;
  std::string bytes;
  bool valid;
};

class Utf8Table : public ::testing::TestWithParam<Case> {};

TEST_P(Utf8Table, Classifies) {
  EXPECT_EQ(airlock::valid_utf8(GetParam().bytes), GetParam().valid) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Utf8Table,
    ::testing::Values(Case{"ascii", "SELECT 1", true}, Case{"empty", "", true},
                      Case{"two_byte", "caf\xC3\xA9", true},
                      Case{"three_byte", "\xE2\x82\xAC", true},
                      Case{"four_byte", "\xF0\x9F\x98\x80", true},
                      Case{"nul_byte", std::string("a\0b", 3), false},
                      Case{"overlong_slash", "\xC0\xAF", false},
                      Case{"overlong_three", "\xE0\x80\xAF", false},
                      Case{"surrogate", "\xED\xA0\x80", false},
                      Case{"above_max", "\xF4\x90\x80\x80", false},
                      Case{"truncated", "\xE2\x82", false},
                      Case{"lone_continuation", "\x80", false},
                      Case{"sjis_backslash_trick", "\x95\x5C' OR 1=1", false}),
    [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

}  // namespace
