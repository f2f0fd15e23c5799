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

std::optional<std::vector<std::optional<std::string_view>>> parse_data_row(const Frame& f) {
  if (f.type != 'D') return std::nullopt;
  FieldReader r(f.body);
  const std::int16_t n = r.i16();
  if (!r.ok() || n < 0) return std::nullopt;
  std::vector<std::optional<std::string_view>> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::int32_t len = r.i32();
    if (!r.ok()) return std::nullopt;
    if (len == -1) {
      out.emplace_back(std::nullopt);
      continue;
    }
    std::string_view v = r.bytes(len);
    if (!r.ok()) return std::nullopt;
    out.emplace_back(v);
  }
  if (!r.at_end()) return std::nullopt;
  return out;
}

bool append_data_row_masked(std::string& out, const Frame& data_row,
                            std::span<const ColumnMask> masks, const MaskValueFn& replace) {
  if (data_row.type != 'D') return false;
  for (std::size_t i = 1; i < masks.size(); ++i) {
    if (masks[i].position <= masks[i - 1].position) return false;
  }
  FieldReader r(data_row.body);
  const std::int16_t n = r.i16();
  if (!r.ok() || n < 0) return false;
  if (!masks.empty() && masks.back().position >= static_cast<std::size_t>(n)) return false;
  // A message's length word counts itself; PostgreSQL caps messages at 2^31-1 bytes.
  constexpr std::size_t kMaxLength = std::numeric_limits<std::int32_t>::max();
  const std::size_t start = out.size();
  const auto abandon = [&out, start] {
    out.resize(start);
    return false;
  };
  MessageBuilder b(out);
  b.begin('D').i16(n);
  std::size_t next = 0;  // the next mask to apply
  for (std::size_t col = 0; col < static_cast<std::size_t>(n); ++col) {
    const std::int32_t len = r.i32();
    if (!r.ok() || len < -1) return abandon();
    const bool masked = next < masks.size() && masks[next].position == col;
    if (len == -1) {
      b.i32(-1);
      if (masked) ++next;
      continue;
    }
    const std::string_view value = r.bytes(len);
    if (!r.ok()) return abandon();
    if (!masked) {
      b.i32(len).bytes(value);
      continue;
    }
    const std::optional<std::string> replacement = replace(next++, value);
    if (!replacement) {
      b.i32(-1);
    } else {
      if (replacement->size() > kMaxLength) return abandon();
      b.i32(static_cast<std::int32_t>(replacement->size())).bytes(*replacement);
    }
    if (out.size() - start - 1 > kMaxLength) return abandon();
  }
  if (!r.at_end() || out.size() - start - 1 > kMaxLength) return abandon();
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
