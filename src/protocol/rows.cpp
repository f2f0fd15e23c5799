#include "protocol/rows.hpp"

#include <charconv>
#include <limits>

#include "protocol/builder.hpp"
#include "protocol/field_reader.hpp"

namespace airlock::protocol {

std::optional<std::vector<FieldDescription>> parse_row_description(const Frame& f) {
  if (f.type != 'T') return std::nullopt;
  FieldReader r(f.body);
  const std::int16_t n = r.i16();
  if (!r.ok() || n < 0) return std::nullopt;
  std::vector<FieldDescription> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    FieldDescription d;
    d.name = r.cstring();
    d.table_oid = static_cast<std::uint32_t>(r.i32());
    d.column = r.i16();
    d.type_oid = static_cast<std::uint32_t>(r.i32());
    r.i16();  // typlen
    r.i32();  // typmod
    d.format = r.i16();
    if (!r.ok()) return std::nullopt;
    out.push_back(d);
  }
  if (!r.at_end()) return std::nullopt;
  return out;
}

namespace {

// Walks a DataRow body: on_value(index, value) for each value in order (nullopt for NULL),
// views into `body`. Returns the first fault of the row's own form. Every declared length is
// compared, as size_t, with the bytes left before it is used.
template <class OnValue>
RowFault walk_data_row(std::string_view body, OnValue&& on_value) {
  if (body.size() < 2) return RowFault::Truncated;
  const auto n = static_cast<std::int16_t>(load_be16(body.data()));
  if (n < 0) return RowFault::NegativeCount;
  const char* p = body.data() + 2;
  std::size_t left = body.size() - 2;
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    if (left < 4) return RowFault::Truncated;
    const auto len = static_cast<std::int32_t>(load_be32(p));
    p += 4;
    left -= 4;
    if (len == -1) {
      on_value(i, std::optional<std::string_view>());
      continue;
    }
    if (len < 0) return RowFault::BadLength;
    const auto size = static_cast<std::size_t>(len);
    if (size > left) return RowFault::Truncated;
    on_value(i, std::optional<std::string_view>(std::string_view(p, size)));
    p += size;
    left -= size;
  }
  return left == 0 ? RowFault::None : RowFault::TrailingBytes;
}

}  // namespace

std::optional<std::vector<std::optional<std::string_view>>> parse_data_row(const Frame& f) {
  if (f.type != 'D' || f.body.size() < 2) return std::nullopt;
  std::vector<std::optional<std::string_view>> out;
  const auto n = static_cast<std::int16_t>(load_be16(f.body.data()));
  if (n > 0) out.reserve(static_cast<std::size_t>(n));
  const RowFault fault =
      walk_data_row(f.body, [&out](std::size_t, std::optional<std::string_view> v) { out.push_back(v); });
  if (fault != RowFault::None) return std::nullopt;
  return out;
}

RowFault check_data_row(std::string_view body, int expected) noexcept {
  const RowFault fault = walk_data_row(body, [](std::size_t, std::optional<std::string_view>) {});
  if (fault != RowFault::None || expected < 0) return fault;
  return load_be16(body.data()) == static_cast<unsigned>(expected) ? RowFault::None
                                                                   : RowFault::CountMismatch;
}

const char* describe(RowFault fault) noexcept {
  switch (fault) {
    case RowFault::None: return "a well-formed DataRow";
    case RowFault::NegativeCount: return "a DataRow with a negative count of values";
    case RowFault::Truncated: return "a DataRow whose values run past the end of the message";
    case RowFault::BadLength: return "a DataRow with a value length below -1";
    case RowFault::TrailingBytes: return "a DataRow with bytes left over after its last value";
    case RowFault::CountMismatch:
      return "a DataRow whose count of values differs from its RowDescription's";
  }
  return "a malformed DataRow";
}

bool append_data_row_masked(std::string& out, const Frame& data_row,
                            std::span<const ColumnMask> masks, const MaskValueFn& replace) {
  if (data_row.type != 'D' || data_row.body.size() < 2) return false;
  for (std::size_t i = 1; i < masks.size(); ++i) {
    if (masks[i].position <= masks[i - 1].position) return false;
  }
  const auto n = static_cast<std::int16_t>(load_be16(data_row.body.data()));
  if (n < 0) return false;
  if (!masks.empty() && masks.back().position >= static_cast<std::size_t>(n)) return false;
  // A message's length word counts itself; PostgreSQL caps messages at 2^31-1 bytes.
  constexpr std::size_t kMaxLength = std::numeric_limits<std::int32_t>::max();
  const std::size_t start = out.size();
  MessageBuilder b(out);
  b.begin('D').i16(n);
  std::size_t next = 0;  // the next mask to apply
  bool too_long = false;
  const RowFault fault = walk_data_row(data_row.body, [&](std::size_t col,
                                                          std::optional<std::string_view> value) {
    if (too_long) return;
    const bool masked = next < masks.size() && masks[next].position == col;
    if (masked) ++next;
    if (!value || !masked) {
      if (value) b.i32(static_cast<std::int32_t>(value->size())).bytes(*value);
      else b.i32(-1);
      return;
    }
    const std::optional<std::string> replacement = replace(next - 1, *value);
    if (!replacement) {
      b.i32(-1);
    } else if (replacement->size() > kMaxLength) {
      too_long = true;
      return;
    } else {
      b.i32(static_cast<std::int32_t>(replacement->size())).bytes(*replacement);
    }
    too_long = out.size() - start - 1 > kMaxLength;
  });
  if (fault != RowFault::None || too_long || out.size() - start - 1 > kMaxLength) {
    out.resize(start);
    return false;
  }
  b.end();
  return true;
}

std::optional<std::string_view> parse_command_complete(const Frame& f) {
  if (f.type != 'C') return std::nullopt;
  FieldReader r(f.body);
  std::string_view tag = r.cstring();
  if (!r.ok() || !r.at_end()) return std::nullopt;
  return tag;
}

std::optional<std::uint64_t> command_tag_rows(std::string_view tag) {
  const auto space = tag.rfind(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view digits = tag.substr(space + 1);
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || p != digits.data() + digits.size() || digits.empty()) return std::nullopt;
  return v;
}

}  // namespace airlock::protocol
