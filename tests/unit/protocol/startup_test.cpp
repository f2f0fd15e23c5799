// parse_startup: which startup-phase packets are accepted and how the rest are refused.
#include "protocol/startup.hpp"

#include <gtest/gtest.h>

#include <ostream>

#include <string>
#include <utility>
#include <vector>

#include "wire.hpp"

namespace airlock::protocol {
namespace {

using namespace std::string_literals;
using test::be32;
using test::cstr;
using test::startup;

using Params = std::vector<std::pair<std::string, std::string>>;

enum class Kind { Startup, Ssl, GssEnc, Cancel, Refused };

struct StartupCase {
  const char* name;
  std::string packet;  // a whole startup-phase packet, length prefix included
  Kind kind;
  std::string sqlstate;  // when Refused
  Params params = {};    // when Startup
  std::uint32_t pid = 0, secret = 0;  // when Cancel
};
void PrintTo(const StartupCase& c, std::ostream* os) { *os << c.name; }

class ParseStartupTable : public ::testing::TestWithParam<StartupCase> {};

TEST_P(ParseStartupTable, Outcome) {
  const StartupCase& c = GetParam();
  Frame f;
  ASSERT_EQ(decode_startup(c.packet, 10000, f), DecodeStatus::Ready);
  ASSERT_EQ(f.size, c.packet.size());
  const auto r = parse_startup(f);
  if (c.kind == Kind::Refused) {
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().sqlstate, c.sqlstate) << r.error().message;
    return;
  }
  ASSERT_TRUE(r.has_value()) << r.error().message;
  switch (c.kind) {
    case Kind::Ssl:
      EXPECT_TRUE(std::holds_alternative<SslRequest>(*r));
      break;
    case Kind::GssEnc:
      EXPECT_TRUE(std::holds_alternative<GssEncRequest>(*r));
      break;
    case Kind::Cancel: {
      ASSERT_TRUE(std::holds_alternative<CancelRequest>(*r));
      EXPECT_EQ(std::get<CancelRequest>(*r).pid, c.pid);
      EXPECT_EQ(std::get<CancelRequest>(*r).secret, c.secret);
      break;
    }
    case Kind::Startup: {
      ASSERT_TRUE(std::holds_alternative<StartupMessage>(*r));
      const auto& m = std::get<StartupMessage>(*r);
      EXPECT_EQ(m.version, kProtocolV3);
      EXPECT_EQ(m.params, c.params);
      break;
    }
    case Kind::Refused:
      break;
  }
}

const std::string kUserAlice = cstr("user") + cstr("alice");

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseStartupTable,
    ::testing::Values(
        StartupCase{"ssl_request", startup(kSslRequestCode, ""), Kind::Ssl, ""},
        StartupCase{"ssl_request_with_body_refused", startup(kSslRequestCode, "x"),
                    Kind::Refused, "08P01"},
        StartupCase{"gssenc_request", startup(kGssEncRequestCode, ""), Kind::GssEnc, ""},
        StartupCase{"gssenc_request_with_body_refused", startup(kGssEncRequestCode, be32(0)),
                    Kind::Refused, "08P01"},
        StartupCase{"cancel_request", startup(kCancelRequestCode, be32(4242) + be32(0xDEADBEEF)),
                    Kind::Cancel, "", {}, 4242, 0xDEADBEEF},
        StartupCase{"cancel_request_high_bits",
                    startup(kCancelRequestCode, be32(0xFFFFFFFF) + be32(0x80000000)),
                    Kind::Cancel, "", {}, 0xFFFFFFFF, 0x80000000},
        StartupCase{"cancel_request_empty_refused", startup(kCancelRequestCode, ""),
                    Kind::Refused, "08P01"},
        StartupCase{"cancel_request_short_refused", startup(kCancelRequestCode, be32(1)),
                    Kind::Refused, "08P01"},
        StartupCase{"cancel_request_seven_bytes_refused",
                    startup(kCancelRequestCode, be32(1) + "abc"), Kind::Refused, "08P01"},
        StartupCase{"cancel_request_long_refused",
                    startup(kCancelRequestCode, be32(1) + be32(2) + be32(3)), Kind::Refused,
                    "08P01"},
        StartupCase{"v3_no_params", startup(kProtocolV3, "\0"s), Kind::Startup, ""},
        StartupCase{"v3_params_in_order",
                    startup(kProtocolV3, kUserAlice + cstr("database") + cstr("db") +
                                             cstr("application_name") + cstr("psql") + '\0'),
                    Kind::Startup, "",
                    Params{{"user", "alice"}, {"database", "db"}, {"application_name", "psql"}}},
        StartupCase{"v3_empty_value_kept", startup(kProtocolV3, kUserAlice + cstr("options") +
                                                                    cstr("") + '\0'),
                    Kind::Startup, "", Params{{"user", "alice"}, {"options", ""}}},
        StartupCase{"v3_keys_case_sensitive",
                    startup(kProtocolV3, cstr("user") + cstr("a") + cstr("USER") + cstr("b") +
                                             '\0'),
                    Kind::Startup, "", Params{{"user", "a"}, {"USER", "b"}}},
        StartupCase{"v3_empty_body_refused", startup(kProtocolV3, ""), Kind::Refused, "08P01"},
        StartupCase{"missing_final_nul_refused", startup(kProtocolV3, kUserAlice),
                    Kind::Refused, "08P01"},
        StartupCase{"value_without_terminator_refused",
                    startup(kProtocolV3, cstr("user") + "alice"), Kind::Refused, "08P01"},
        StartupCase{"key_without_value_refused", startup(kProtocolV3, cstr("user") + '\0'),
                    Kind::Refused, "08P01"},
        StartupCase{"key_without_terminator_refused", startup(kProtocolV3, "user"),
                    Kind::Refused, "08P01"},
        StartupCase{"bytes_after_terminator_refused",
                    startup(kProtocolV3, kUserAlice + '\0' + "junk"), Kind::Refused, "08P01"},
        StartupCase{"nul_after_terminator_refused",
                    startup(kProtocolV3, kUserAlice + '\0' + '\0'), Kind::Refused, "08P01"},
        StartupCase{"duplicate_key_refused",
                    startup(kProtocolV3, kUserAlice + cstr("user") + cstr("postgres") + '\0'),
                    Kind::Refused, "08P01"},
        StartupCase{"duplicate_key_same_value_refused",
                    startup(kProtocolV3, kUserAlice + kUserAlice + '\0'), Kind::Refused,
                    "08P01"},
        StartupCase{"protocol_2_0_refused", startup(0x00020000, kUserAlice + '\0'),
                    Kind::Refused, "0A000"},
        StartupCase{"protocol_3_1_refused", startup(0x00030001, kUserAlice + '\0'),
                    Kind::Refused, "0A000"},
        StartupCase{"protocol_3_ffff_refused", startup(0x0003FFFF, kUserAlice + '\0'),
                    Kind::Refused, "0A000"},
        StartupCase{"protocol_4_0_refused", startup(0x00040000, kUserAlice + '\0'),
                    Kind::Refused, "0A000"},
        StartupCase{"protocol_0_refused", startup(0, ""), Kind::Refused, "0A000"},
        StartupCase{"unknown_request_code_refused", startup(80877105, ""), Kind::Refused,
                    "0A000"},
        // The 1234.xxxx request space with the v3 layout must not be read as a StartupMessage.
        StartupCase{"request_space_with_params_refused",
                    startup(0x04D20000, kUserAlice + '\0'), Kind::Refused, "0A000"}),
    [](const ::testing::TestParamInfo<StartupCase>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace airlock::protocol
