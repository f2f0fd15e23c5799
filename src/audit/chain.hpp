#pragma once
// The hash chain: each record's hash covers the hash of the record before it and its own
// bytes, so that editing, removing, inserting or reordering a record breaks every link
// after it (docs/audit.md, "Hash chain").
//
//   hash = hex(SHA-256(prev + "\n" + body))
//
// where body is the record's line without its `hash` key (record.hpp, serialize_body) and
// prev is the hash of the record before, or kGenesis for the first record of a trail.
#include <optional>
#include <string>
#include <string_view>

namespace airlock::audit {

inline constexpr std::string_view kGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr std::size_t kHashHexLength = 64;

std::string chain_hash(std::string_view prev, std::string_view body);

// body + hash -> the line as written: body with ,"hash":"<hash>" before its closing brace.
std::string seal(std::string_view body, std::string_view hash);

// The reverse of seal, on the exact bytes of a line: its body and hash, or nullopt when the
// line does not end with ,"hash":"<64 lowercase hex>"}.
struct Sealed {
  std::string body;
  std::string_view hash;
};
std::optional<Sealed> unseal(std::string_view line);

bool is_hash(std::string_view s);

}  // namespace airlock::audit
