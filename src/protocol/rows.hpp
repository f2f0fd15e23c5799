#pragma once
// Decoders for result rows: RowDescription ('T'), DataRow ('D'), CommandComplete ('C').
// Used when Airlock itself runs a query upstream (catalog reads, guards). Every relayed
// DataRow is checked (check_data_row, row_check.hpp) but not decoded, except those of a
// result with masked columns, which are rebuilt with those columns replaced
// (append_data_row_masked).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/frame.hpp"

namespace airlock::protocol {

struct FieldDescription {
  std::string_view name;
  std::uint32_t table_oid = 0;
  std::int16_t column = 0;
  std::uint32_t type_oid = 0;
  std::int16_t format = 0;  // 0 text, 1 binary
};
std::optional<std::vector<FieldDescription>> parse_row_description(const Frame& f);

// Values of one DataRow; nullopt entries are SQL NULLs. Views into the frame.
std::optional<std::vector<std::optional<std::string_view>>> parse_data_row(const Frame& f);

// What is wrong with a DataRow body, if anything. DataRow (protocol-message-formats.html):
// Int16 count of values, then per value an Int32 length (-1: NULL) and that many bytes.
enum class RowFault : std::uint8_t {
  None,
  NegativeCount,  // the count is below 0
  Truncated,      // a length word or a value runs past the end of the message
  BadLength,      // a length below -1
  TrailingBytes,  // bytes left over after the last value
  CountMismatch,  // well formed, but not as many values as the RowDescription in effect
};
const char* describe(RowFault fault) noexcept;  // for logs: "a DataRow ..."

// Checks a DataRow body without copying or allocating: its own form, then, when `expected`
// is 0 or more, that it has exactly that many values. Lengths are compared as size_t
// against the bytes left, so no arithmetic on a declared length can overflow.
RowFault check_data_row(std::string_view body, int expected = -1) noexcept;

// A column of a DataRow to replace, by 0-based position in the row.
struct ColumnMask {
  std::size_t position = 0;
};

// The replacement for the non-NULL value of masks[mask_index]; nullopt sends NULL.
using MaskValueFn =
    std::function<std::optional<std::string>(std::size_t mask_index, std::string_view value)>;

// Appends `data_row` to `out` with the columns named by `masks` replaced by what `replace`
// returns; every other column is copied byte for byte, and a NULL stays NULL (`replace` is
// not called for it). `masks` must be sorted by position without duplicates.
// Returns false and appends nothing when `data_row` is not a well-formed DataRow ('D',
// lengths within the body, no bytes left over), when a mask names a column the row does not
// have (the result is not the shape the decision described: never forward it), when
// `masks` is unsorted, or when the rebuilt message would exceed the protocol's 2^31-1 bytes.
bool append_data_row_masked(std::string& out, const Frame& data_row,
                            std::span<const ColumnMask> masks, const MaskValueFn& replace);

// The command tag, e.g. "UPDATE 12".
std::optional<std::string_view> parse_command_complete(const Frame& f);

// The row count at the end of a command tag ("INSERT 0 5" → 5, "UPDATE 12" → 12);
// nullopt for tags without one (e.g. "CREATE TABLE").
std::optional<std::uint64_t> command_tag_rows(std::string_view tag);

}  // namespace airlock::protocol
