#pragma once
// How a masked column's values are replaced in results (docs/policy.md, "Masking"). A
// vocabulary type shared by policy (which decides the style of each result column) and
// masking (which transforms the values), neither of which may include the other.
#include <cstdint>
#include <optional>
#include <string_view>

namespace airlock {

// Ordered by how much of the value survives, least last: `strictest` relies on it.
enum class MaskStyle : std::uint8_t {
  Partial,  // email: "***@domain"; other text: "***" + at most the last 4 characters
  Hash,     // keyed hash (HMAC-SHA-256, 16 hex digits): equal values stay equal
  Full,     // "***"
  Null,     // SQL NULL
};

inline constexpr std::string_view to_string(MaskStyle s) noexcept {
  switch (s) {
    case MaskStyle::Partial: return "partial";
    case MaskStyle::Hash: return "hash";
    case MaskStyle::Full: return "full";
    case MaskStyle::Null: return "null";
  }
  return "full";
}

inline constexpr std::optional<MaskStyle> parse_mask_style(std::string_view word) noexcept {
  for (MaskStyle s : {MaskStyle::Partial, MaskStyle::Hash, MaskStyle::Full, MaskStyle::Null}) {
    if (to_string(s) == word) return s;
  }
  return std::nullopt;
}

// The style for a value derived from two masked columns. Partial and hash each reveal
// something (a suffix, equality) that is only harmless for the column's own values, so two
// different styles meet at full (or null, which hides even more).
inline constexpr MaskStyle strictest(MaskStyle a, MaskStyle b) noexcept {
  if (a == b) return a;
  const MaskStyle hi = a > b ? a : b;
  return hi > MaskStyle::Full ? hi : MaskStyle::Full;
}

}  // namespace airlock
