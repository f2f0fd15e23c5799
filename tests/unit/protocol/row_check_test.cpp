// RowCheck: which RowDescription is in effect for a relayed DataRow, as a table of message
// sequences. The harness keeps the counters the way Session does: the client side counts sync
// batches (Query, Sync) and the Executes of the open batch; the server side counts answered
// batches (ReadyForQuery) and the results of the batch being answered (C, I, s).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "protocol/frame.hpp"
#include "protocol/row_check.hpp"
#include "wire.hpp"

namespace airlock::protocol {
namespace {

using test::be16;
using test::be32;
using test::cstr;
using test::typed;

// A DataRow of `n` one-byte values.
std::string data_row(int n) {
  std::string body = be16(static_cast<std::uint16_t>(n));
  for (int i = 0; i < n; ++i) body += be32(1) + "v";
  return typed('D', body);
}

// A RowDescription of `n` text columns.
std::string row_description(int n) {
  std::string body = be16(static_cast<std::uint16_t>(n));
  for (int i = 0; i < n; ++i) {
    body += cstr("c") + be32(0) + be16(0) + be32(25) + be16(0xFFFF) + be32(0xFFFFFFFF) + be16(0);
  }
  return typed('T', body);
}

// One step, as text. Client: "Q" Query, "P" Parse, "B" Bind, "Dp:<name>" Describe portal,
// "Ds:<name>" Describe statement, "E:<name>" Execute, "H" Flush, "S" Sync. Server (after a
// '|'): "T<n>" RowDescription, "D<n>" DataRow of n values, "n" NoData, "C", "I", "s", "E"
// (ErrorResponse), "Z", "1", "2", "t", "N" (notice), and "g" for foreign() messages: "gT<n>",
// "gD<n>", "gC".
struct Case {
  const char* name;
  const char* client;  // steps separated by spaces
  const char* server;
  RowFault last;  // the verdict on the last server message
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

std::vector<std::string> split(const char* text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Frame frame_of(const std::string& wire) {
  Frame f;
  EXPECT_EQ(decode_typed(wire, 1 << 20, f), DecodeStatus::Ready);
  return f;
}

std::string client_wire(const std::string& step) {
  if (step == "Q") return typed('Q', cstr("SELECT 1"));
  if (step == "P") return typed('P', cstr("") + cstr("SELECT 1") + be16(0));
  if (step == "B") return typed('B', cstr("") + cstr("") + be16(0) + be16(0) + be16(0));
  if (step == "H") return typed('H', "");
  if (step == "S") return typed('S', "");
  if (step.rfind("Dp:", 0) == 0) return typed('D', "P" + cstr(step.substr(3)));
  if (step.rfind("Ds:", 0) == 0) return typed('D', "S" + cstr(step.substr(3)));
  if (step.rfind("E:", 0) == 0) return typed('E', cstr(step.substr(2)) + be32(0));
  ADD_FAILURE() << "unknown client step " << step;
  return {};
}

std::string server_wire(const std::string& step) {
  const char t = step[0];
  if (t == 'T') return row_description(std::stoi(step.substr(1)));
  if (t == 'D') return data_row(std::stoi(step.substr(1)));
  if (t == 'C') return typed('C', cstr("SELECT 1"));
  if (t == 'E' || t == 'N') return typed(t, "SERROR" + cstr("") + "C" + cstr("XX000") + cstr(""));
  if (t == 'Z') return typed('Z', "I");
  if (t == 't') return typed('t', be16(0));
  return typed(t, "");  // n, I, s, 1, 2, 3
}

class RowCheckTable : public testing::TestWithParam<Case> {};

TEST_P(RowCheckTable, LastRow) {
  const Case& c = GetParam();
  RowCheck check;
  std::uint64_t forwarded = 0;
  std::size_t executes = 0;
  for (const std::string& step : split(c.client)) {
    const std::string wire = client_wire(step);
    const Frame f = frame_of(wire);
    check.client(f, forwarded, executes);
    if (f.type == 'Q') check.query(forwarded++);
    if (f.type == 'S') {
      ++forwarded;
      executes = 0;
    }
    if (f.type == 'E') ++executes;
  }
  std::uint64_t completed = 0;
  std::size_t results = 0;
  const std::vector<std::string> steps = split(c.server);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const bool foreign = steps[i][0] == 'g';
    const std::string wire = server_wire(foreign ? steps[i].substr(1) : steps[i]);
    const Frame f = frame_of(wire);
    const RowVerdict v = foreign ? check.foreign(f) : check.answer(f, completed, results);
    if (i + 1 < steps.size()) {
      ASSERT_EQ(v.fault, RowFault::None) << "step " << i << " " << steps[i];
    } else {
      EXPECT_EQ(v.fault, c.last) << describe(v.fault);
    }
    if (f.type == 'Z' && !foreign) {
      ++completed;
      results = 0;
    }
    if ((f.type == 'C' || f.type == 'I' || f.type == 's') && !foreign) ++results;
  }
}

constexpr RowFault kOk = RowFault::None;
constexpr RowFault kCount = RowFault::CountMismatch;

const Case kCases[] = {
    // A simple Query: each result's own RowDescription.
    {"query_row_as_described", "Q", "T2 D2 D2 C Z", kOk},
    {"query_row_wider", "Q", "T1 D3", kCount},
    {"query_row_narrower", "Q", "T3 D2", kCount},
    {"query_zero_columns", "Q", "T0 D0 C Z", kOk},
    {"query_second_statement_own_width", "Q", "T1 D1 C T2 D2", kOk},
    {"query_second_statement_checked", "Q", "T1 D1 C T2 D1", kCount},
    {"query_notice_between", "Q", "T1 N D2", kCount},
    {"query_row_without_description_unknown", "Q", "D3", kOk},
    {"query_row_after_result_end_unknown", "Q", "T1 D1 C D3", kOk},
    // Describe of the portal right before its Execute.
    {"described_portal_checked", "P B Dp: E: S", "1 2 T1 D3", kCount},
    {"described_portal_as_described", "P B Dp: E: S", "1 2 T3 D3 D3 C Z", kOk},
    {"described_named_portal_checked", "B Dp:p1 E:p1 S", "2 T2 D1", kCount},
    {"flush_between_still_paired", "B Dp: H E: S", "2 T1 D2", kCount},
    {"nodata_then_rows_unknown", "B Dp: E: S", "2 n D2", kOk},
    // Not known for sure: the row's own form only.
    {"other_portal_described", "B B Dp:a E:b S", "2 2 T1 D3", kOk},
    {"bind_between_describe_and_execute", "B Dp: B E: S", "2 T1 2 D3", kOk},
    {"no_describe_in_batch", "B E: S", "2 D3", kOk},
    {"statement_described", "P Ds: B E: S", "1 t T1 2 D3", kOk},
    {"suspended_portal_executed_again", "B Dp: E: E: S", "2 T1 D1 s D3", kOk},
    {"describe_in_earlier_batch", "B Dp: S E: S", "2 T1 Z D3", kOk},
    // Several Executes and batches in flight.
    {"second_execute_paired", "B Dp:a E:a B Dp:b E:b S", "2 T1 D1 C 2 T2 D2 D2", kOk},
    {"second_execute_checked", "B Dp:a E:a B Dp:b E:b S", "2 T1 D1 C 2 T2 D3", kCount},
    {"unpaired_then_paired", "B E:a B Dp:b E:b S", "2 D5 C 2 T2 D3", kCount},
    {"paired_then_unpaired", "B Dp:a E:a B E:b S", "2 T1 D1 C 2 D3", kOk},
    {"pipeline_query_between", "B Dp:a E:a S Q B Dp:b E:b S",
     "2 T1 D1 C Z T2 D2 C Z 2 T3 D3 C Z", kOk},
    {"pipeline_third_batch_checked", "B Dp:a E:a S Q B Dp:b E:b S",
     "2 T1 D1 C Z T2 D2 C Z 2 T3 D4", kCount},
    {"pipeline_query_checked", "B Dp:a E:a S Q", "2 T1 D1 C Z T2 D1", kCount},
    {"failed_batch_then_query", "B Dp:a E:a S Q", "E Z T1 D2", kCount},
    {"failed_batch_then_unpaired", "B Dp:a E:a S B E:b S", "E Z 2 D3", kOk},
    // The row guard's own statements: form only, and what was known is forgotten.
    {"foreign_row_unknown", "B Dp: E: S", "2 T1 gT3 gD2", kOk},
    {"after_foreign_unknown", "B Dp: E: S", "2 T1 gC D3", kOk},
};

INSTANTIATE_TEST_SUITE_P(Table, RowCheckTable, testing::ValuesIn(kCases),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(RowCheckMalformed, RefusedWhateverIsKnown) {
  // Two values claimed, one carried: refused with or without a RowDescription in effect.
  const std::string bad = typed('D', be16(2) + be32(1) + "a");
  for (bool described : {false, true}) {
    RowCheck check;
    if (described) {
      check.query(0);
      const std::string t = row_description(2);
      check.answer(frame_of(t), 0, 0);
    }
    EXPECT_EQ(check.answer(frame_of(bad), 0, 0).fault, RowFault::Truncated);
    EXPECT_EQ(check.foreign(frame_of(bad)).fault, RowFault::Truncated);
  }
}

TEST(RowCheckMismatch, ReportsTheExpectedCount) {
  RowCheck check;
  check.query(0);
  const std::string t = row_description(4);
  const std::string d = data_row(1);
  check.answer(frame_of(t), 0, 0);
  const RowVerdict v = check.answer(frame_of(d), 0, 0);
  EXPECT_EQ(v.fault, RowFault::CountMismatch);
  EXPECT_EQ(v.expected, 4);
}

TEST(RowCheckPipeline, LongBatchKeepsMatching) {
  // 10,000 described Executes in one batch: each row matched to its own Describe (answered
  // entries are dropped as the results end, so each lookup looks at one entry).
  RowCheck check;
  const std::string describe = typed('D', "P" + cstr(""));
  const std::string execute = typed('E', cstr("") + be32(0));
  const std::string t = row_description(1);
  const std::string d1 = data_row(1);
  const std::string d2 = data_row(2);
  const std::string c = typed('C', cstr("SELECT 1"));
  for (std::size_t i = 0; i < 10'000; ++i) {
    check.client(frame_of(describe), 0, i);
    check.client(frame_of(execute), 0, i);
    ASSERT_EQ(check.answer(frame_of(t), 0, i).fault, RowFault::None);
    ASSERT_EQ(check.answer(frame_of(d1), 0, i).fault, RowFault::None);
    ASSERT_EQ(check.answer(frame_of(c), 0, i).fault, RowFault::None);
  }
  ASSERT_EQ(check.answer(frame_of(t), 0, 10'000).fault, RowFault::None);
  EXPECT_EQ(check.answer(frame_of(d2), 0, 10'000).fault, RowFault::None);  // no Execute 10,000
}

}  // namespace
}  // namespace airlock::protocol
