// Encoders (append_*) against decoders (decode_* then parse_*), the field parsers on
// malformed bodies, and the message-type tables.
#include <gtest/gtest.h>

#include <ostream>

#include <functional>
#include <string>

#include "protocol/backend.hpp"
#include "protocol/frontend.hpp"
#include "protocol/startup.hpp"
#include "wire.hpp"

namespace airlock::protocol {
namespace {

using namespace std::string_literals;
using test::be16;
using test::be32;
using test::cstr;
using test::typed;

// --- Round trips: every encoder's output decodes back to what went in. ----------------

struct RoundTrip {
  const char* name;
  bool startup_phase;                              // decode with decode_startup
  std::function<void(std::string&)> encode;        // appends one message
  char type;                                       // expected type byte (0 for startup)
  std::function<void(const Frame&)> check;         // runs the matching parse_*
};
void PrintTo(const RoundTrip& c, std::ostream* os) { *os << c.name; }

class EncoderRoundTrip : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(EncoderRoundTrip, DecodesBack) {
  const RoundTrip& c = GetParam();
  // Encode after some unrelated bytes: encoders append, they never rewrite what is there.
  std::string out = "prefix";
  c.encode(out);
  ASSERT_EQ(out.substr(0, 6), "prefix");
  const std::string_view msg = std::string_view(out).substr(6);
  Frame f;
  const DecodeStatus st = c.startup_phase ? decode_startup(msg, 1 << 20, f)
                                          : decode_typed(msg, 1 << 20, f);
  ASSERT_EQ(st, DecodeStatus::Ready);
  EXPECT_EQ(f.size, msg.size()) << "the length field must cover exactly the message";
  EXPECT_EQ(f.type, c.type);
  c.check(f);
  // Two copies back to back decode as two messages.
  std::string twice(msg);
  twice += msg;
  Frame first;
  const DecodeStatus st2 = c.startup_phase ? decode_startup(twice, 1 << 20, first)
                                           : decode_typed(twice, 1 << 20, first);
  ASSERT_EQ(st2, DecodeStatus::Ready);
  EXPECT_EQ(first.size, msg.size());
}

void expect_error(const Frame& f, std::string_view severity, std::string_view code,
                  std::string_view message) {
  const auto e = parse_error(f);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->severity, severity);
  EXPECT_EQ(e->sqlstate, code);
  EXPECT_EQ(e->message, message);
}

void expect_auth(const Frame& f, AuthCode code, std::string_view data) {
  const auto a = parse_auth_request(f);
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(a->code, code);
  EXPECT_EQ(a->data, data);
}

void expect_startup_params(const Frame& f,
                           const std::vector<std::pair<std::string, std::string>>& params) {
  const auto r = parse_startup(f);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_TRUE(std::holds_alternative<StartupMessage>(*r));
  EXPECT_EQ(std::get<StartupMessage>(*r).params, params);
}

const std::string kBinary = "\x00\x01\xFF\x7F p=,r="s;

INSTANTIATE_TEST_SUITE_P(
    Encoders, EncoderRoundTrip,
    ::testing::Values(
        RoundTrip{"append_error",
                  false,
                  [](std::string& o) {
                    append_error(o, {"FATAL", "28P01", "password authentication failed",
                                     "detail text", "hint text"});
                  },
                  'E',
                  [](const Frame& f) {
                    expect_error(f, "FATAL", "28P01", "password authentication failed");
                  }},
        RoundTrip{"append_error_without_detail_or_hint",
                  false,
                  [](std::string& o) { append_error(o, {"ERROR", "42501", "denied"}); },
                  'E',
                  [](const Frame& f) {
                    expect_error(f, "ERROR", "42501", "denied");
                    EXPECT_EQ(f.body, "SERROR\0VERROR\0C42501\0Mdenied\0\0"s);
                  }},
        RoundTrip{"append_notice",
                  false,
                  [](std::string& o) { append_notice(o, {"WARNING", "01000", "careful"}); },
                  'N', [](const Frame& f) { expect_error(f, "WARNING", "01000", "careful"); }},
        RoundTrip{"append_auth_ok", false, [](std::string& o) { append_auth_ok(o); }, 'R',
                  [](const Frame& f) { expect_auth(f, AuthCode::Ok, ""); }},
        RoundTrip{"append_auth_sasl", false, [](std::string& o) { append_auth_sasl(o); }, 'R',
                  [](const Frame& f) { expect_auth(f, AuthCode::Sasl, "SCRAM-SHA-256\0\0"s); }},
        RoundTrip{"append_auth_sasl_continue",
                  false,
                  [](std::string& o) { append_auth_sasl_continue(o, "r=abc,s=c2FsdA==,i=4096"); },
                  'R',
                  [](const Frame& f) {
                    expect_auth(f, AuthCode::SaslContinue, "r=abc,s=c2FsdA==,i=4096");
                  }},
        RoundTrip{"append_auth_sasl_continue_binary",
                  false, [](std::string& o) { append_auth_sasl_continue(o, kBinary); }, 'R',
                  [](const Frame& f) { expect_auth(f, AuthCode::SaslContinue, kBinary); }},
        RoundTrip{"append_auth_sasl_final",
                  false, [](std::string& o) { append_auth_sasl_final(o, "v=xyz"); }, 'R',
                  [](const Frame& f) { expect_auth(f, AuthCode::SaslFinal, "v=xyz"); }},
        RoundTrip{"append_auth_sasl_final_empty",
                  false, [](std::string& o) { append_auth_sasl_final(o, ""); }, 'R',
                  [](const Frame& f) { expect_auth(f, AuthCode::SaslFinal, ""); }},
        RoundTrip{"append_parameter_status",
                  false,
                  [](std::string& o) { append_parameter_status(o, "TimeZone", "Europe/Paris"); },
                  'S',
                  [](const Frame& f) {
                    const auto p = parse_parameter_status(f);
                    ASSERT_TRUE(p.has_value());
                    EXPECT_EQ(p->name, "TimeZone");
                    EXPECT_EQ(p->value, "Europe/Paris");
                  }},
        RoundTrip{"append_parameter_status_empty_value",
                  false,
                  [](std::string& o) { append_parameter_status(o, "application_name", ""); },
                  'S',
                  [](const Frame& f) {
                    const auto p = parse_parameter_status(f);
                    ASSERT_TRUE(p.has_value());
                    EXPECT_EQ(p->name, "application_name");
                    EXPECT_EQ(p->value, "");
                  }},
        RoundTrip{"append_backend_key_data",
                  false,
                  [](std::string& o) { append_backend_key_data(o, 0x7FFFFFFF, 0xFEDCBA98); },
                  'K',
                  [](const Frame& f) {
                    const auto k = parse_backend_key_data(f);
                    ASSERT_TRUE(k.has_value());
                    EXPECT_EQ(k->pid, 0x7FFFFFFFu);
                    EXPECT_EQ(k->secret, 0xFEDCBA98u);
                  }},
        RoundTrip{"append_ready_for_query_idle",
                  false, [](std::string& o) { append_ready_for_query(o, 'I'); }, 'Z',
                  [](const Frame& f) { EXPECT_EQ(parse_ready_for_query(f), 'I'); }},
        RoundTrip{"append_ready_for_query_in_transaction",
                  false, [](std::string& o) { append_ready_for_query(o, 'T'); }, 'Z',
                  [](const Frame& f) { EXPECT_EQ(parse_ready_for_query(f), 'T'); }},
        RoundTrip{"append_ready_for_query_failed",
                  false, [](std::string& o) { append_ready_for_query(o, 'E'); }, 'Z',
                  [](const Frame& f) { EXPECT_EQ(parse_ready_for_query(f), 'E'); }},
        RoundTrip{"append_startup",
                  true,
                  [](std::string& o) {
                    append_startup(o, {{"user", "app"}, {"database", "db"},
                                       {"client_encoding", "UTF8"}});
                  },
                  0,
                  [](const Frame& f) {
                    EXPECT_EQ(f.code, kProtocolV3);
                    expect_startup_params(
                        f, {{"user", "app"}, {"database", "db"}, {"client_encoding", "UTF8"}});
                  }},
        RoundTrip{"append_startup_no_params",
                  true, [](std::string& o) { append_startup(o, {}); }, 0,
                  [](const Frame& f) { expect_startup_params(f, {}); }},
        RoundTrip{"append_ssl_request", true, [](std::string& o) { append_ssl_request(o); }, 0,
                  [](const Frame& f) {
                    EXPECT_EQ(f.code, kSslRequestCode);
                    const auto r = parse_startup(f);
                    ASSERT_TRUE(r.has_value());
                    EXPECT_TRUE(std::holds_alternative<SslRequest>(*r));
                  }},
        RoundTrip{"append_cancel_request",
                  true, [](std::string& o) { append_cancel_request(o, 0x80000001, 0xFFFFFFFF); },
                  0,
                  [](const Frame& f) {
                    EXPECT_EQ(f.code, kCancelRequestCode);
                    const auto r = parse_startup(f);
                    ASSERT_TRUE(r.has_value());
                    ASSERT_TRUE(std::holds_alternative<CancelRequest>(*r));
                    EXPECT_EQ(std::get<CancelRequest>(*r).pid, 0x80000001u);
                    EXPECT_EQ(std::get<CancelRequest>(*r).secret, 0xFFFFFFFFu);
                  }},
        RoundTrip{"append_sasl_initial_response",
                  false,
                  [](std::string& o) {
                    append_sasl_initial_response(o, "SCRAM-SHA-256", "n,,n=,r=nonce");
                  },
                  'p',
                  [](const Frame& f) {
                    const auto s = parse_sasl_initial_response(f);
                    ASSERT_TRUE(s.has_value());
                    EXPECT_EQ(s->mechanism, "SCRAM-SHA-256");
                    EXPECT_EQ(s->data, "n,,n=,r=nonce");
                  }},
        RoundTrip{"append_sasl_initial_response_binary_data",
                  false,
                  [](std::string& o) { append_sasl_initial_response(o, "SCRAM-SHA-256", kBinary); },
                  'p',
                  [](const Frame& f) {
                    const auto s = parse_sasl_initial_response(f);
                    ASSERT_TRUE(s.has_value());
                    EXPECT_EQ(s->data, kBinary);
                  }},
        RoundTrip{"append_sasl_initial_response_empty_data",
                  false, [](std::string& o) { append_sasl_initial_response(o, "PLAIN", ""); },
                  'p',
                  [](const Frame& f) {
                    const auto s = parse_sasl_initial_response(f);
                    ASSERT_TRUE(s.has_value());
                    EXPECT_EQ(s->mechanism, "PLAIN");
                    EXPECT_EQ(s->data, "");
                    EXPECT_EQ(f.body, "PLAIN\0\0\0\0\0"s);  // length 0, not -1
                  }},
        RoundTrip{"append_sasl_response",
                  false, [](std::string& o) { append_sasl_response(o, "c=biws,r=x,p=y"); }, 'p',
                  [](const Frame& f) { EXPECT_EQ(f.body, "c=biws,r=x,p=y"); }},
        RoundTrip{"append_password", false, [](std::string& o) { append_password(o, "s3cr3t"); },
                  'p', [](const Frame& f) { EXPECT_EQ(f.body, "s3cr3t\0"s); }},
        RoundTrip{"append_terminate", false, [](std::string& o) { append_terminate(o); }, 'X',
                  [](const Frame& f) { EXPECT_TRUE(f.body.empty()); }},
        RoundTrip{"append_query",
                  false, [](std::string& o) { append_query(o, "SELECT 'é', $$x$$"); }, 'Q',
                  [](const Frame& f) { EXPECT_EQ(parse_query(f), "SELECT 'é', $$x$$"); }},
        RoundTrip{"append_query_empty", false, [](std::string& o) { append_query(o, ""); }, 'Q',
                  [](const Frame& f) { EXPECT_EQ(parse_query(f), ""); }},
        RoundTrip{"append_sync", false, [](std::string& o) { append_sync(o); }, 'S',
                  [](const Frame& f) {
                    EXPECT_TRUE(f.body.empty());
                    EXPECT_FALSE(parse_parameter_status(f).has_value());
                  }}),
    [](const ::testing::TestParamInfo<RoundTrip>& p) { return std::string(p.param.name); });

// --- Field parsers on hand-written bodies ------------------------------------------------

// Builds a Frame over a body that lives in the test case (type, body).
Frame frame_of(char type, const std::string& body) {
  Frame f;
  f.type = type;
  f.body = body;
  f.size = body.size() + kTypedHeader;
  return f;
}

struct ErrorCase {
  const char* name;
  char type;
  std::string body;
  bool ok;
  std::string severity = {}, code = {}, message = {};
};
void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ParseErrorTable : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrorTable, Fields) {
  const ErrorCase& c = GetParam();
  const auto e = parse_error(frame_of(c.type, c.body));
  ASSERT_EQ(e.has_value(), c.ok);
  if (!c.ok) return;
  EXPECT_EQ(e->severity, c.severity);
  EXPECT_EQ(e->sqlstate, c.code);
  EXPECT_EQ(e->message, c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseErrorTable,
    ::testing::Values(
        ErrorCase{"all_fields", 'E', "SERROR\0VERROR\0C42P01\0Mno table\0Ddetail\0\0"s, true,
                  "ERROR", "42P01", "no table"},
        ErrorCase{"notice", 'N', "SNOTICE\0C00000\0Mhello\0\0"s, true, "NOTICE", "00000",
                  "hello"},
        ErrorCase{"localized_s_then_v_wins", 'E', "SFEHLER\0VERROR\0C22012\0Mx\0\0"s, true,
                  "ERROR", "22012", "x"},
        ErrorCase{"v_before_localized_s_kept", 'E', "VFATAL\0SSCHWER\0C57P01\0Mx\0\0"s, true,
                  "FATAL", "57P01", "x"},
        ErrorCase{"unknown_fields_ignored", 'E', "Zzz\0qq\0C0A000\0\0"s, true, "", "0A000", ""},
        ErrorCase{"empty_field_list", 'E', "\0"s, true},
        ErrorCase{"empty_body_refused", 'E', "", false},
        ErrorCase{"missing_list_terminator_refused", 'E', "SERROR\0C42501\0"s, false},
        ErrorCase{"value_without_nul_refused", 'E', "SERROR\0Mtrunc"s, false},
        ErrorCase{"code_without_value_refused", 'E', "S"s, false},
        ErrorCase{"bytes_after_terminator_refused", 'E', "SERROR\0\0junk"s, false},
        ErrorCase{"wrong_type_refused", 'Z', "SERROR\0\0"s, false}),
    [](const ::testing::TestParamInfo<ErrorCase>& p) { return std::string(p.param.name); });

struct ParseCase {
  const char* name;
  std::string body;
  bool ok;
  std::string statement = {}, query = {};
  std::uint16_t count = 0;
};
void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

class ParseParseTable : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseParseTable, Fields) {
  const ParseCase& c = GetParam();
  const auto p = parse_parse(frame_of('P', c.body));
  ASSERT_EQ(p.has_value(), c.ok);
  if (!c.ok) return;
  EXPECT_EQ(p->statement, c.statement);
  EXPECT_EQ(p->query, c.query);
  EXPECT_EQ(p->param_type_count, c.count);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseParseTable,
    ::testing::Values(
        ParseCase{"unnamed_no_params", cstr("") + cstr("SELECT 1") + be16(0), true, "",
                  "SELECT 1", 0},
        ParseCase{"named_two_oids", cstr("s1") + cstr("SELECT $1, $2") + be16(2) + be32(23) +
                                        be32(25),
                  true, "s1", "SELECT $1, $2", 2},
        ParseCase{"oid_zero_unspecified", cstr("") + cstr("SELECT $1") + be16(1) + be32(0),
                  true, "", "SELECT $1", 1},
        ParseCase{"negative_count_minus_one_refused",
                  cstr("") + cstr("SELECT 1") + be16(0xFFFF), false},
        ParseCase{"negative_count_min_refused",
                  cstr("") + cstr("SELECT 1") + be16(0x8000) + std::string(4, '\0'), false},
        ParseCase{"truncated_oids_refused", cstr("") + cstr("SELECT $1,$2") + be16(2) + be32(23),
                  false},
        ParseCase{"partial_oid_refused", cstr("") + cstr("SELECT $1") + be16(1) + "\0\0\0"s,
                  false},
        ParseCase{"max_count_without_oids_refused", cstr("") + cstr("SELECT 1") + be16(0x7FFF),
                  false},
        ParseCase{"trailing_bytes_refused", cstr("") + cstr("SELECT 1") + be16(0) + "x", false},
        ParseCase{"missing_count_refused", cstr("") + cstr("SELECT 1"), false},
        ParseCase{"half_count_refused", cstr("") + cstr("SELECT 1") + "\0"s, false},
        ParseCase{"query_without_nul_refused", cstr("") + "SELECT 1", false},
        ParseCase{"empty_body_refused", "", false}),
    [](const ::testing::TestParamInfo<ParseCase>& p) { return std::string(p.param.name); });

TEST(ParseParse, WrongTypeRefused) {
  const std::string body = cstr("") + cstr("SELECT 1") + be16(0);
  EXPECT_FALSE(parse_parse(frame_of('Q', body)).has_value());
}

struct SaslCase {
  const char* name;
  char type;
  std::string body;
  bool ok;
  std::string mechanism = {}, data = {};
};
void PrintTo(const SaslCase& c, std::ostream* os) { *os << c.name; }

class ParseSaslInitialTable : public ::testing::TestWithParam<SaslCase> {};

TEST_P(ParseSaslInitialTable, Fields) {
  const SaslCase& c = GetParam();
  const auto s = parse_sasl_initial_response(frame_of(c.type, c.body));
  ASSERT_EQ(s.has_value(), c.ok);
  if (!c.ok) return;
  EXPECT_EQ(s->mechanism, c.mechanism);
  EXPECT_EQ(s->data, c.data);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseSaslInitialTable,
    ::testing::Values(
        SaslCase{"exact_length", 'p', cstr("SCRAM-SHA-256") + be32(5) + "n,,ab", true,
                 "SCRAM-SHA-256", "n,,ab"},
        SaslCase{"length_zero", 'p', cstr("SCRAM-SHA-256") + be32(0), true, "SCRAM-SHA-256",
                 ""},
        SaslCase{"length_minus_one_means_no_data", 'p', cstr("SCRAM-SHA-256") + be32(0xFFFFFFFF),
                 true, "SCRAM-SHA-256", ""},
        SaslCase{"length_minus_one_with_trailing_refused", 'p',
                 cstr("SCRAM-SHA-256") + be32(0xFFFFFFFF) + "x", false},
        SaslCase{"length_minus_two_refused", 'p', cstr("SCRAM-SHA-256") + be32(0xFFFFFFFE) + "ab",
                 false},
        SaslCase{"length_int_min_refused", 'p', cstr("SCRAM-SHA-256") + be32(0x80000000),
                 false},
        SaslCase{"length_larger_than_rest_refused", 'p', cstr("SCRAM-SHA-256") + be32(6) + "abc",
                 false},
        SaslCase{"length_int_max_refused", 'p', cstr("SCRAM-SHA-256") + be32(0x7FFFFFFF) + "abc",
                 false},
        SaslCase{"length_smaller_than_rest_refused", 'p',
                 cstr("SCRAM-SHA-256") + be32(1) + "abc", false},
        SaslCase{"missing_length_refused", 'p', cstr("SCRAM-SHA-256"), false},
        SaslCase{"short_length_refused", 'p', cstr("SCRAM-SHA-256") + "\0\0"s, false},
        SaslCase{"mechanism_without_nul_refused", 'p', "SCRAM-SHA-256", false},
        SaslCase{"empty_body_refused", 'p', "", false},
        SaslCase{"wrong_type_refused", 'Q', cstr("SCRAM-SHA-256") + be32(0), false}),
    [](const ::testing::TestParamInfo<SaslCase>& p) { return std::string(p.param.name); });

struct AuthCase {
  const char* name;
  char type;
  std::string body;
  std::string sqlstate;  // empty when accepted
  AuthCode code = AuthCode::Ok;
  std::string data = {};
};
void PrintTo(const AuthCase& c, std::ostream* os) { *os << c.name; }

class ParseAuthTable : public ::testing::TestWithParam<AuthCase> {};

TEST_P(ParseAuthTable, Outcome) {
  const AuthCase& c = GetParam();
  const auto a = parse_auth_request(frame_of(c.type, c.body));
  if (!c.sqlstate.empty()) {
    ASSERT_FALSE(a.has_value());
    EXPECT_EQ(a.error().sqlstate, c.sqlstate);
    return;
  }
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(a->code, c.code);
  EXPECT_EQ(a->data, c.data);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ParseAuthTable,
    ::testing::Values(
        AuthCase{"ok", 'R', be32(0), "", AuthCode::Ok},
        AuthCase{"ok_with_data_refused", 'R', be32(0) + "x", "08P01"},
        AuthCase{"cleartext", 'R', be32(3), "", AuthCode::CleartextPassword},
        AuthCase{"cleartext_with_data_refused", 'R', be32(3) + "x", "08P01"},
        AuthCase{"md5_salt", 'R', be32(5) + "salt", "", AuthCode::Md5Password, "salt"},
        AuthCase{"md5_short_salt_refused", 'R', be32(5) + "sal", "08P01"},
        AuthCase{"md5_long_salt_refused", 'R', be32(5) + "salty", "08P01"},
        AuthCase{"sasl_mechanisms", 'R', be32(10) + "SCRAM-SHA-256\0\0"s, "", AuthCode::Sasl,
                 "SCRAM-SHA-256\0\0"s},
        AuthCase{"sasl_continue", 'R', be32(11) + "r=x", "", AuthCode::SaslContinue, "r=x"},
        AuthCase{"sasl_final", 'R', be32(12) + "v=y", "", AuthCode::SaslFinal, "v=y"},
        AuthCase{"kerberos_refused", 'R', be32(2), "0A000"},
        AuthCase{"gss_refused", 'R', be32(7), "0A000"},
        AuthCase{"sspi_refused", 'R', be32(9), "0A000"},
        AuthCase{"negative_code_refused", 'R', be32(0xFFFFFFFF), "0A000"},
        AuthCase{"truncated_code_refused", 'R', "\0\0"s, "08P01"},
        AuthCase{"empty_body_refused", 'R', "", "08P01"},
        AuthCase{"wrong_type_refused", 'E', be32(0), "08P01"}),
    [](const ::testing::TestParamInfo<AuthCase>& p) { return std::string(p.param.name); });

struct SmallCase {
  const char* name;
  char type;
  std::string body;
  bool ok;
};
void PrintTo(const SmallCase& c, std::ostream* os) { *os << c.name; }

class ParseParameterStatusTable : public ::testing::TestWithParam<SmallCase> {};
TEST_P(ParseParameterStatusTable, Accepts) {
  EXPECT_EQ(parse_parameter_status(frame_of(GetParam().type, GetParam().body)).has_value(),
            GetParam().ok);
}
INSTANTIATE_TEST_SUITE_P(
    Cases, ParseParameterStatusTable,
    ::testing::Values(SmallCase{"name_value", 'S', cstr("a") + cstr("b"), true},
                      SmallCase{"empty_name_value", 'S', "\0\0"s, true},
                      SmallCase{"missing_value_refused", 'S', cstr("a"), false},
                      SmallCase{"value_without_nul_refused", 'S', cstr("a") + "b", false},
                      SmallCase{"trailing_bytes_refused", 'S', cstr("a") + cstr("b") + "c", false},
                      SmallCase{"wrong_type_refused", 's', cstr("a") + cstr("b"), false}),
    [](const ::testing::TestParamInfo<SmallCase>& p) { return std::string(p.param.name); });

class ParseBackendKeyTable : public ::testing::TestWithParam<SmallCase> {};
TEST_P(ParseBackendKeyTable, Accepts) {
  EXPECT_EQ(parse_backend_key_data(frame_of(GetParam().type, GetParam().body)).has_value(),
            GetParam().ok);
}
INSTANTIATE_TEST_SUITE_P(
    Cases, ParseBackendKeyTable,
    ::testing::Values(SmallCase{"eight_bytes", 'K', be32(1) + be32(2), true},
                      SmallCase{"seven_bytes_refused", 'K', be32(1) + "abc", false},
                      SmallCase{"nine_bytes_refused", 'K', be32(1) + be32(2) + "x", false},
                      SmallCase{"empty_refused", 'K', "", false},
                      SmallCase{"wrong_type_refused", 'k', be32(1) + be32(2), false}),
    [](const ::testing::TestParamInfo<SmallCase>& p) { return std::string(p.param.name); });

class ParseReadyForQueryTable : public ::testing::TestWithParam<SmallCase> {};
TEST_P(ParseReadyForQueryTable, Accepts) {
  EXPECT_EQ(parse_ready_for_query(frame_of(GetParam().type, GetParam().body)).has_value(),
            GetParam().ok);
}
INSTANTIATE_TEST_SUITE_P(
    Cases, ParseReadyForQueryTable,
    ::testing::Values(SmallCase{"idle", 'Z', "I", true}, SmallCase{"in_block", 'Z', "T", true},
                      SmallCase{"failed_block", 'Z', "E", true},
                      SmallCase{"unknown_status_refused", 'Z', "X", false},
                      SmallCase{"lowercase_status_refused", 'Z', "i", false},
                      SmallCase{"empty_refused", 'Z', "", false},
                      SmallCase{"two_bytes_refused", 'Z', "II", false},
                      SmallCase{"wrong_type_refused", 'z', "I", false}),
    [](const ::testing::TestParamInfo<SmallCase>& p) { return std::string(p.param.name); });

struct QueryCase {
  const char* name;
  std::string body;
  bool ok;
};
void PrintTo(const QueryCase& c, std::ostream* os) { *os << c.name; }

class ParseQueryTable : public ::testing::TestWithParam<QueryCase> {};
TEST_P(ParseQueryTable, Accepts) {
  EXPECT_EQ(parse_query(frame_of('Q', GetParam().body)).has_value(), GetParam().ok);
}
INSTANTIATE_TEST_SUITE_P(
    Cases, ParseQueryTable,
    ::testing::Values(QueryCase{"terminated", cstr("SELECT 1"), true},
                      QueryCase{"empty_query", "\0"s, true},
                      QueryCase{"missing_nul_refused", "SELECT 1", false},
                      // A NUL inside the text would hide the rest from the SQL analyzer.
                      QueryCase{"embedded_nul_refused", "SELECT 1\0; DROP TABLE t\0"s, false},
                      QueryCase{"empty_body_refused", "", false}),
    [](const ::testing::TestParamInfo<QueryCase>& p) { return std::string(p.param.name); });

// --- Message-type tables: every byte value, against the protocol 3.0 lists. -------------

struct TypeTable {
  const char* name;
  std::function<bool(char)> classify;
  std::string expected;  // exactly the accepted type bytes
};
void PrintTo(const TypeTable& c, std::ostream* os) { *os << c.name; }

class MessageTypeTable : public ::testing::TestWithParam<TypeTable> {};

TEST_P(MessageTypeTable, AcceptsExactlyTheListedBytes) {
  const TypeTable& t = GetParam();
  for (int i = 0; i < 256; ++i) {
    const char c = static_cast<char>(i);
    EXPECT_EQ(t.classify(c), t.expected.find(c) != std::string::npos) << "byte " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Tables, MessageTypeTable,
    ::testing::Values(
        // Bind Close CopyData CopyDone CopyFail Describe Execute Flush FunctionCall Parse
        // PasswordMessage/SASL Query Sync Terminate.
        TypeTable{"frontend", [](char c) { return is_frontend_message_type(c); },
                  "BCdcfDEHFPpQSX"},
        // ParseComplete BindComplete CloseComplete Notification CommandComplete CopyDone
        // DataRow CopyData Error CopyIn CopyOut EmptyQuery BackendKeyData NoData Notice
        // PortalSuspended ParameterStatus ParameterDescription RowDescription FunctionCall
        // CopyBoth ReadyForQuery Authentication NegotiateProtocolVersion.
        TypeTable{"backend", [](char c) { return is_backend_message_type(c); },
                  "123ACcDdEGHIKnNsStTVWZRv"}),
    [](const ::testing::TestParamInfo<TypeTable>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace airlock::protocol
