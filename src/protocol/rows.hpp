#pragma once
// Decoders for result rows: RowDescription ('T'), DataRow ('D'), CommandComplete ('C').
// Used when Airlock itself runs a query upstream (catalog reads, guards); relayed results
// are never decoded.
#include <cstdint>
#include <optional>
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

// The command tag, e.g. "UPDATE 12".
std::optional<std::string_view> parse_command_complete(const Frame& f);

// The row count at the end of a command tag ("INSERT 0 5" → 5, "UPDATE 12" → 12);
// nullopt for tags without one (e.g. "CREATE TABLE").
std::optional<std::uint64_t> command_tag_rows(std::string_view tag);

}  // namespace airlock::protocol
