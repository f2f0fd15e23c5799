#pragma once
// The value transform of result masking (docs/policy.md, "Masking"): one non-NULL value of
// a result column in, its replacement out. Pure: no I/O, no protocol framing (the DataRow
// rewrite is protocol/rows.hpp), no policy (which column gets which style is policy's).
//
// The replacement is always a valid value of the column's type, or NULL:
//   text-like types (text, varchar, bpchar, name, unknown), text and binary format (their
//     binary form is the raw characters): the style is applied;
//   json, jsonb: a JSON string ("***", or the hash in quotes), jsonb binary with its
//     version byte; partial is full (a suffix of JSON text is not JSON);
//   types with OIDs >= 16384 (enums, citext, composite types of tables), text format: the
//     style is applied (drivers hand unknown types back as strings); binary format: NULL;
//   every other type (numbers, dates, bytea, arrays, records, OID 0 = type unknown): NULL,
//     since "***" is not a valid integer or date and drivers that parse by type would fail.
// A NULL stays NULL (which values are missing is not masked).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/mask_style.hpp"

namespace airlock::masking {

namespace oid {
inline constexpr std::uint32_t kName = 19;
inline constexpr std::uint32_t kText = 25;
inline constexpr std::uint32_t kJson = 114;
inline constexpr std::uint32_t kUnknown = 705;
inline constexpr std::uint32_t kBpchar = 1042;
inline constexpr std::uint32_t kVarchar = 1043;
inline constexpr std::uint32_t kJsonb = 3802;
inline constexpr std::uint32_t kFirstNormalObjectId = 16384;  // first OID not built in
}  // namespace oid

// The replacement bytes for one value; nullopt means send SQL NULL. `format` is the
// column's format code (0 text, 1 binary; anything else gives NULL). `key` keys the hash
// style; an empty key gives NULL, never an unkeyed hash (which anyone could recompute for
// guessed values). The config loader refuses `hash` without a key, so that is a bug guard.
std::optional<std::string> mask_value(MaskStyle style, std::string_view value,
                                      std::int16_t format, std::uint32_t type_oid,
                                      std::string_view key);

// The pieces, for tests and documentation.
inline constexpr std::string_view kFullText = "***";
// "***@example.com" for text with an '@' (after the last one); otherwise "***" and the last
// min(4, n / 2) characters of an n-character value, so that at most half is ever shown.
std::string partial_text(std::string_view value);
// Lower-case hex of HMAC-SHA-256(key, value), the first 16 digits (64 bits).
std::string keyed_hash(std::string_view key, std::string_view value);

}  // namespace airlock::masking
