#include "core/duration.hpp"

#include <gtest/gtest.h>

using airlock::Millis;
using airlock::parse_duration;
using airlock::parse_size;

TEST(Duration, Units) {
  EXPECT_EQ(parse_duration("250ms"), Millis(250));
  EXPECT_EQ(parse_duration("5s"), Millis(5000));
  EXPECT_EQ(parse_duration("5"), Millis(5000));
  EXPECT_EQ(parse_duration("2m"), Millis(120000));
  EXPECT_EQ(parse_duration("1h"), Millis(3600000));
  EXPECT_EQ(parse_duration("0"), Millis(0));
}

TEST(Duration, RejectsGarbageAndOverflow) {
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("5 parsecs"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_FALSE(parse_duration("99999999999999999999d"));
  EXPECT_FALSE(parse_duration("18446744073709551615d"));
}

TEST(Size, Units) {
  EXPECT_EQ(parse_size("128KiB"), 128u * 1024);
  EXPECT_EQ(parse_size("1MiB"), 1024u * 1024);
  EXPECT_EQ(parse_size("42"), 42u);
  EXPECT_FALSE(parse_size("1TB"));
  EXPECT_FALSE(parse_size("18446744073709551615GiB"));
}
