// DataRow rewriting for result masking: masked columns replaced, everything else copied
// byte for byte, malformed rows refused without output. The check of relayed DataRows
// (check_data_row): the same form, and the count against the RowDescription's.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "protocol/frame.hpp"
#include "protocol/rows.hpp"
#include "wire.hpp"

namespace airlock::protocol {
namespace {

using test::be16;
using test::be32;
using test::typed;

// A DataRow body from values; nullopt is NULL.
std::string row_body(const std::vector<std::optional<std::string>>& values) {
  std::string body = be16(static_cast<std::uint16_t>(values.size()));
  for (const auto& v : values) {
    if (!v) {
      body += be32(0xFFFFFFFFu);
    } else {
      body += be32(static_cast<std::uint32_t>(v->size()));
      body += *v;
    }
  }
  return body;
}

Frame frame_of(const std::string& wire) {
  Frame f;
  EXPECT_EQ(decode_typed(wire, 1 << 20, f), DecodeStatus::Ready);
  return f;
}

// Replaces every masked value by "<" + value + ">", except "drop", which becomes NULL.
std::optional<std::string> bracket(std::size_t, std::string_view v) {
  if (v == "drop") return std::nullopt;
  return "<" + std::string(v) + ">";
}

struct Case {
  const char* name;
  std::vector<std::optional<std::string>> in;
  std::vector<std::size_t> positions;
  std::vector<std::optional<std::string>> out;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class MaskedRow : public testing::TestWithParam<Case> {};

TEST_P(MaskedRow, Rewrites) {
  const Case& c = GetParam();
  const std::string wire = typed('D', row_body(c.in));
  std::vector<ColumnMask> masks;
  for (std::size_t p : c.positions) masks.push_back(ColumnMask{p});
  std::string out = "prefix";
  ASSERT_TRUE(append_data_row_masked(out, frame_of(wire), masks, bracket));
  EXPECT_EQ(out, "prefix" + typed('D', row_body(c.out)));
  // The result decodes as a DataRow of the same width.
  const std::string rebuilt = out.substr(6);  // the Frame views it
  const Frame again = frame_of(rebuilt);
  const auto values = parse_data_row(again);
  ASSERT_TRUE(values.has_value());
  EXPECT_EQ(values->size(), c.in.size());
}

const Case kCases[] = {
    {"no_masks_copies", {"a", std::nullopt, ""}, {}, {"a", std::nullopt, ""}},
    {"first_column", {"alice@x.org", "1"}, {0}, {"<alice@x.org>", "1"}},
    {"last_column", {"1", "555-0101"}, {1}, {"1", "<555-0101>"}},
    {"several_columns", {"a", "b", "c", "d"}, {0, 2, 3}, {"<a>", "b", "<c>", "<d>"}},
    {"null_stays_null_unasked", {std::nullopt, "x"}, {0, 1}, {std::nullopt, "<x>"}},
    {"replacement_null", {"drop", "keep"}, {0}, {std::nullopt, "keep"}},
    {"empty_value_is_not_null", {"", "x"}, {0}, {"<>", "x"}},
    {"binary_bytes_copied_exactly", {std::string("\0\xff\x01", 3), "m"}, {1},
     {std::string("\0\xff\x01", 3), "<m>"}},
    {"zero_columns", {}, {}, {}},
};
INSTANTIATE_TEST_SUITE_P(Table, MaskedRow, testing::ValuesIn(kCases),
                         [](const auto& i) { return std::string(i.param.name); });

TEST(MaskedRowIndex, CallbackGetsMaskIndexInOrder) {
  const std::string wire = typed('D', row_body({"a", "b", "c"}));
  const std::vector<ColumnMask> masks = {{0}, {2}};
  std::vector<std::size_t> seen;
  std::string out;
  ASSERT_TRUE(append_data_row_masked(out, frame_of(wire), masks,
                                     [&](std::size_t i, std::string_view) {
                                       seen.push_back(i);
                                       return std::optional<std::string>("x");
                                     }));
  EXPECT_EQ(seen, (std::vector<std::size_t>{0, 1}));
}

// Malformed input: nothing appended, false returned.
struct Bad {
  const char* name;
  std::string wire;
  std::vector<std::size_t> positions;
};

std::ostream& operator<<(std::ostream& os, const Bad& c) { return os << c.name; }

class MaskedRowRefused : public testing::TestWithParam<Bad> {};

TEST_P(MaskedRowRefused, AppendsNothing) {
  const Bad& c = GetParam();
  std::vector<ColumnMask> masks;
  for (std::size_t p : c.positions) masks.push_back(ColumnMask{p});
  std::string out = "keep";
  EXPECT_FALSE(append_data_row_masked(out, frame_of(c.wire), masks, bracket));
  EXPECT_EQ(out, "keep");
}

const Bad kBad[] = {
    {"not_a_data_row", typed('T', row_body({"a"})), {0}},
    {"mask_beyond_width", typed('D', row_body({"a", "b"})), {2}},
    {"masks_unsorted", typed('D', row_body({"a", "b"})), {1, 0}},
    {"masks_duplicate", typed('D', row_body({"a", "b"})), {1, 1}},
    {"negative_count", typed('D', be16(0xFFFF)), {}},
    {"count_without_columns", typed('D', be16(2) + be32(1) + "a"), {0}},
    {"length_past_end", typed('D', be16(1) + be32(5) + "abc"), {0}},
    {"length_below_minus_one", typed('D', be16(1) + be32(0xFFFFFFFEu)), {0}},
    {"huge_length", typed('D', be16(1) + be32(0x7FFFFFFFu) + "a"), {}},
    {"trailing_bytes", typed('D', row_body({"a"}) + "x"), {0}},
    {"truncated_count", typed('D', std::string(1, '\0')), {}},
};
INSTANTIATE_TEST_SUITE_P(Table, MaskedRowRefused, testing::ValuesIn(kBad),
                         [](const auto& i) { return std::string(i.param.name); });

// check_data_row: the row's own form, then its count against the RowDescription's.
struct RowCase {
  const char* name;
  std::string body;
  int expected;  // -1: not known
  RowFault fault;
};

std::ostream& operator<<(std::ostream& os, const RowCase& c) { return os << c.name; }

class DataRowCheck : public testing::TestWithParam<RowCase> {};

TEST_P(DataRowCheck, Verdict) {
  const RowCase& c = GetParam();
  EXPECT_EQ(check_data_row(c.body, c.expected), c.fault) << describe(check_data_row(c.body, c.expected));
  // Well formed exactly when the decoder takes it.
  const std::string wire = typed('D', c.body);
  EXPECT_EQ(parse_data_row(frame_of(wire)).has_value(), check_data_row(c.body) == RowFault::None);
}

const RowCase kRows[] = {
    {"values_and_null", row_body({"a", std::nullopt, ""}), -1, RowFault::None},
    {"count_as_described", row_body({"a", "b"}), 2, RowFault::None},
    {"no_values", row_body({}), 0, RowFault::None},
    {"wider_than_described", row_body({"a", "b", "c"}), 1, RowFault::CountMismatch},
    {"narrower_than_described", row_body({"a"}), 2, RowFault::CountMismatch},
    {"empty_body", "", -1, RowFault::Truncated},
    {"truncated_count", std::string(1, '\0'), -1, RowFault::Truncated},
    {"negative_count", be16(0x8000), -1, RowFault::NegativeCount},
    {"count_without_values", be16(2) + be32(1) + "a", -1, RowFault::Truncated},
    {"count_without_values_described", be16(2) + be32(1) + "a", 2, RowFault::Truncated},
    {"length_word_cut", be16(1) + std::string(3, '\0'), -1, RowFault::Truncated},
    {"length_past_end", be16(1) + be32(5) + "abc", -1, RowFault::Truncated},
    {"length_2_31_minus_1", be16(1) + be32(0x7FFFFFFFu) + "a", -1, RowFault::Truncated},
    {"length_below_minus_one", be16(1) + be32(0xFFFFFFFEu), -1, RowFault::BadLength},
    {"length_most_negative", be16(1) + be32(0x80000000u), -1, RowFault::BadLength},
    {"trailing_bytes", row_body({"a"}) + "x", -1, RowFault::TrailingBytes},
    {"trailing_bytes_described", row_body({"a"}) + "x", 1, RowFault::TrailingBytes},
    {"max_count_of_nulls", [] {
       std::string b = be16(0x7FFF);
       for (int i = 0; i < 0x7FFF; ++i) b += be32(0xFFFFFFFFu);
       return b;
     }(), 0x7FFF, RowFault::None},
};
INSTANTIATE_TEST_SUITE_P(Table, DataRowCheck, testing::ValuesIn(kRows),
                         [](const auto& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock::protocol
