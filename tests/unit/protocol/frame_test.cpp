// Framing: decode_typed, decode_startup and typed_bytes_wanted.
#include "protocol/frame.hpp"

#include <gtest/gtest.h>

#include <ostream>

#include <cstdint>
#include <limits>
#include <string>

#include "wire.hpp"

namespace airlock::protocol {
namespace {

using namespace std::string_literals;
using test::be32;
using test::cstr;
using test::startup;
using test::typed;
using test::typed_header;

constexpr std::size_t kNoBound = std::numeric_limits<std::size_t>::max();

// --- decode_typed: one table of (bytes, bound) -> outcome. -----------------------------

struct TypedCase {
  const char* name;
  std::string bytes;
  std::size_t max_size;
  DecodeStatus status;
  std::size_t size = 0;  // Frame::size when Ready
};
void PrintTo(const TypedCase& c, std::ostream* os) { *os << c.name; }

class DecodeTypedTable : public ::testing::TestWithParam<TypedCase> {};

TEST_P(DecodeTypedTable, Outcome) {
  const TypedCase& c = GetParam();
  Frame f;
  const DecodeStatus st = decode_typed(c.bytes, c.max_size, f);
  ASSERT_EQ(st, c.status);
  if (st == DecodeStatus::Ready) {
    EXPECT_EQ(f.type, c.bytes[0]);
    EXPECT_EQ(f.code, 0u);
    EXPECT_EQ(f.size, c.size);
    EXPECT_EQ(f.body.size(), c.size - kTypedHeader);
    EXPECT_EQ(f.body.data(), c.bytes.data() + kTypedHeader);  // a view, not a copy
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecodeTypedTable,
    ::testing::Values(
        TypedCase{"empty_input_needs_more", "", 64, DecodeStatus::NeedMore},
        TypedCase{"type_byte_only_needs_more", "Q", 64, DecodeStatus::NeedMore},
        TypedCase{"four_header_bytes_need_more", std::string("Q\0\0\0", 4), 64,
                  DecodeStatus::NeedMore},
        TypedCase{"sync_ready", typed('S', ""), 64, DecodeStatus::Ready, 5},
        TypedCase{"query_ready", typed('Q', cstr("SELECT 1")), 64, DecodeStatus::Ready, 14},
        TypedCase{"length_zero_invalid", typed_header('Q', 0), 64, DecodeStatus::Invalid},
        TypedCase{"length_one_invalid", typed_header('Q', 1), 64, DecodeStatus::Invalid},
        TypedCase{"length_three_invalid", typed_header('Q', 3), 64, DecodeStatus::Invalid},
        TypedCase{"length_three_invalid_even_unbounded", typed_header('Q', 3), kNoBound,
                  DecodeStatus::Invalid},
        // len + 1 wraps to 0 in 32 bits: a decoder doing that arithmetic in uint32_t would
        // call this a complete zero-byte message. Unbounded, it is simply incomplete.
        TypedCase{"length_ffffffff_unbounded_does_not_wrap", typed_header('Q', 0xFFFFFFFFu),
                  kNoBound, DecodeStatus::NeedMore},
        TypedCase{"length_ffffffff_bounded_invalid", typed_header('Q', 0xFFFFFFFFu), 1 << 20,
                  DecodeStatus::Invalid},
        TypedCase{"length_fffffffe_bounded_invalid", typed_header('Q', 0xFFFFFFFEu), 1 << 20,
                  DecodeStatus::Invalid},
        TypedCase{"length_high_bit_invalid", typed_header('D', 0x80000000u), 1 << 30,
                  DecodeStatus::Invalid},
        // The bound is checked from the 5-byte header alone, before any body arrives.
        TypedCase{"over_bound_refused_on_header_alone", typed_header('Q', 4096), 4096,
                  DecodeStatus::Invalid},
        TypedCase{"one_over_bound_refused_on_header_alone", typed_header('Q', 64), 64,
                  DecodeStatus::Invalid},
        TypedCase{"exact_bound_header_needs_more", typed_header('Q', 63), 64,
                  DecodeStatus::NeedMore},
        TypedCase{"exact_bound_accepted", typed('Q', std::string(59, 'x')), 64,
                  DecodeStatus::Ready, 64},
        TypedCase{"one_over_bound_complete_invalid", typed('Q', std::string(60, 'x')), 64,
                  DecodeStatus::Invalid},
        TypedCase{"bound_below_header_refuses_everything", typed('S', ""), 4,
                  DecodeStatus::Invalid},
        TypedCase{"bound_equal_header_accepts_empty_body", typed('S', ""), 5,
                  DecodeStatus::Ready, 5},
        TypedCase{"second_message_not_consumed", typed('P', cstr("") + cstr("x") + test::be16(0)) +
                                                      typed('S', ""),
                  64, DecodeStatus::Ready, 10},
        TypedCase{"body_minus_one_byte_needs_more", typed('Q', cstr("SELECT 1")).substr(0, 13),
                  64, DecodeStatus::NeedMore},
        TypedCase{"nul_type_byte_still_framed", typed('\0', "ab"), 64, DecodeStatus::Ready, 7}),
    [](const ::testing::TestParamInfo<TypedCase>& p) { return std::string(p.param.name); });

// --- Every proper prefix of a valid message is NeedMore, and typed_bytes_wanted says how
// much is missing. Stops decoders that act on a partial body or over-read. ---------------

struct Message {
  const char* name;
  std::string bytes;
};
void PrintTo(const Message& c, std::ostream* os) { *os << c.name; }

const auto kTypedMessages = ::testing::Values(
    Message{"sync", typed('S', "")}, Message{"terminate", typed('X', "")},
    Message{"query", typed('Q', cstr("SELECT 1"))},
    Message{"parse", typed('P', cstr("s1") + cstr("SELECT $1") + test::be16(1) + be32(23))},
    Message{"bind", typed('B', cstr("") + cstr("s1") + test::be16(0) + test::be16(1) +
                                   be32(1) + "7" + test::be16(0))},
    Message{"execute", typed('E', cstr("") + be32(0))},
    Message{"error", typed('E', "SERROR\0C42501\0Mdenied\0\0"s)},
    Message{"data_row_64k", typed('D', std::string(65530, 'r'))});

class TypedPrefixes : public ::testing::TestWithParam<Message> {};

TEST_P(TypedPrefixes, EveryPrefixNeedsMoreAndWantsTheRest) {
  const std::string& m = GetParam().bytes;
  for (std::size_t n = 0; n < m.size(); ++n) {
    const std::string_view prefix(m.data(), n);
    Frame f;
    ASSERT_EQ(decode_typed(prefix, kNoBound, f), DecodeStatus::NeedMore) << "prefix " << n;
    ASSERT_EQ(decode_typed(prefix, m.size(), f), DecodeStatus::NeedMore) << "prefix " << n;
    const std::size_t want = typed_bytes_wanted(prefix);
    if (n < kTypedHeader) {
      ASSERT_EQ(want, kTypedHeader - n) << "prefix " << n;
    } else {
      ASSERT_EQ(want, m.size() - n) << "prefix " << n;
    }
  }
  Frame f;
  ASSERT_EQ(decode_typed(m, m.size(), f), DecodeStatus::Ready);
  EXPECT_EQ(f.size, m.size());
  EXPECT_EQ(f.body, std::string_view(m).substr(kTypedHeader));
  EXPECT_EQ(typed_bytes_wanted(m), 0u);
  EXPECT_EQ(typed_bytes_wanted(m + "trailing"), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Messages, TypedPrefixes, kTypedMessages,
    [](const ::testing::TestParamInfo<Message>& p) { return std::string(p.param.name); });

TEST(TypedBytesWanted, HugeLengthDoesNotWrap) {
  // 0xFFFFFFFF + 1 - 5 bytes missing; a 32-bit computation would say 0 or wrap.
  EXPECT_EQ(typed_bytes_wanted(typed_header('Q', 0xFFFFFFFFu)),
            std::size_t{0x100000000ull} - kTypedHeader);
}

// --- decode_startup ----------------------------------------------------------------------

constexpr std::size_t kStartupBound = 10000;  // PostgreSQL's MAX_STARTUP_PACKET_LENGTH

struct StartupFrameCase {
  const char* name;
  std::string bytes;
  DecodeStatus status;
  std::uint32_t code = 0;
  std::size_t size = 0;
};
void PrintTo(const StartupFrameCase& c, std::ostream* os) { *os << c.name; }

class DecodeStartupTable : public ::testing::TestWithParam<StartupFrameCase> {};

TEST_P(DecodeStartupTable, Outcome) {
  const StartupFrameCase& c = GetParam();
  Frame f;
  const DecodeStatus st = decode_startup(c.bytes, kStartupBound, f);
  ASSERT_EQ(st, c.status);
  if (st == DecodeStatus::Ready) {
    EXPECT_EQ(f.type, 0);
    EXPECT_EQ(f.code, c.code);
    EXPECT_EQ(f.size, c.size);
    EXPECT_EQ(f.body.size(), c.size - kStartupHeader);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DecodeStartupTable,
    ::testing::Values(
        StartupFrameCase{"empty_needs_more", "", DecodeStatus::NeedMore},
        StartupFrameCase{"three_bytes_need_more", std::string("\0\0\0", 3),
                         DecodeStatus::NeedMore},
        StartupFrameCase{"length_zero_invalid", be32(0), DecodeStatus::Invalid},
        StartupFrameCase{"length_three_invalid", be32(3), DecodeStatus::Invalid},
        StartupFrameCase{"length_seven_invalid", be32(7) + be32(196608),
                         DecodeStatus::Invalid},
        StartupFrameCase{"length_ffffffff_invalid", be32(0xFFFFFFFFu), DecodeStatus::Invalid},
        StartupFrameCase{"length_10001_refused_on_length_alone", be32(10001),
                         DecodeStatus::Invalid},
        StartupFrameCase{"length_10000_accepted_header_needs_more", be32(10000),
                         DecodeStatus::NeedMore},
        StartupFrameCase{"length_10000_complete_ready",
                         startup(196608, std::string(9991, 'a') + '\0'), DecodeStatus::Ready,
                         196608, 10000},
        StartupFrameCase{"length_eight_code_missing_needs_more", be32(8),
                         DecodeStatus::NeedMore},
        StartupFrameCase{"ssl_request_ready", startup(80877103, ""), DecodeStatus::Ready,
                         80877103, 8},
        StartupFrameCase{"ssl_request_then_tls_bytes_ready",
                         startup(80877103, "") + "\x16\x03\x01", DecodeStatus::Ready, 80877103,
                         8},
        StartupFrameCase{"startup_ready", startup(196608, cstr("user") + cstr("a") + '\0'),
                         DecodeStatus::Ready, 196608, 16}),
    [](const ::testing::TestParamInfo<StartupFrameCase>& p) { return std::string(p.param.name); });

const auto kStartupMessages = ::testing::Values(
    Message{"ssl_request", startup(80877103, "")},
    Message{"cancel_request", startup(80877102, be32(1234) + be32(5678))},
    Message{"psql_startup",
            startup(196608, cstr("user") + cstr("alice") + cstr("database") + cstr("app") +
                                cstr("application_name") + cstr("psql") +
                                cstr("client_encoding") + cstr("UTF8") + '\0')});

class StartupPrefixes : public ::testing::TestWithParam<Message> {};

TEST_P(StartupPrefixes, EveryPrefixNeedsMore) {
  const std::string& m = GetParam().bytes;
  for (std::size_t n = 0; n < m.size(); ++n) {
    Frame f;
    ASSERT_EQ(decode_startup(std::string_view(m.data(), n), kStartupBound, f),
              DecodeStatus::NeedMore)
        << "prefix " << n;
  }
  Frame f;
  ASSERT_EQ(decode_startup(m, kStartupBound, f), DecodeStatus::Ready);
  EXPECT_EQ(f.size, m.size());
  EXPECT_EQ(f.body, std::string_view(m).substr(kStartupHeader));
}

INSTANTIATE_TEST_SUITE_P(
    Messages, StartupPrefixes, kStartupMessages,
    [](const ::testing::TestParamInfo<Message>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace airlock::protocol
