#include "masking/mask.hpp"

#include <openssl/evp.h>

#include "core/hex.hpp"

namespace airlock::masking {
namespace {

enum class TypeClass { TextLike, Json, Jsonb, UserDefined, Other };

TypeClass classify(std::uint32_t type_oid) {
  switch (type_oid) {
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kUnknown: return TypeClass::TextLike;
    case oid::kJson: return TypeClass::Json;
    case oid::kJsonb: return TypeClass::Jsonb;
    default: break;
  }
  return type_oid >= oid::kFirstNormalObjectId ? TypeClass::UserDefined : TypeClass::Other;
}

// UTF-8 continuation bytes (10xxxxxx) do not start a character. Values need not be valid
// UTF-8 for this count to stay in bounds: it only ever cuts before a non-continuation byte.
bool starts_character(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

std::optional<std::string> styled_text(MaskStyle style, std::string_view value,
                                       std::string_view key) {
  switch (style) {
    case MaskStyle::Full: return std::string(kFullText);
    case MaskStyle::Partial: return partial_text(value);
    case MaskStyle::Hash: {
      if (key.empty()) return std::nullopt;
      std::string h = keyed_hash(key, value);
      if (h.empty()) return std::nullopt;
      return h;
    }
    case MaskStyle::Null: break;
  }
  return std::nullopt;
}

// A JSON string holding only characters that need no escaping ('*' or hex digits).
std::optional<std::string> json_string(MaskStyle style, std::string_view text,
                                       std::string_view key) {
  if (style == MaskStyle::Partial) style = MaskStyle::Full;
  auto inner = styled_text(style, text, key);
  if (!inner) return std::nullopt;
  return "\"" + *inner + "\"";
}

}  // namespace

std::string partial_text(std::string_view value) {
  if (const auto at = value.rfind('@'); at != std::string_view::npos)
    return std::string(kFullText) + std::string(value.substr(at));
  std::size_t chars = 0;
  for (char c : value) chars += starts_character(c) ? 1 : 0;
  std::size_t keep = chars / 2 < 4 ? chars / 2 : 4;
  // Walk back from the end to the start of the keep-th last character.
  std::size_t cut = value.size();
  while (keep > 0 && cut > 0) {
    --cut;
    if (starts_character(value[cut])) --keep;
  }
  return std::string(kFullText) + std::string(value.substr(cut));
}

std::string keyed_hash(std::string_view key, std::string_view value) {
  // OpenSSL reads a null pointer as "no data" in some calls even with length 0.
  static const unsigned char kEmpty = 0;
  const auto* k = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  const auto* v = value.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(value.data());
  unsigned char mac[32];
  std::size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, k, key.size(), v, value.size(), mac,
                sizeof mac, &len) == nullptr ||
      len != sizeof mac) {
    return {};  // the caller sends NULL
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(mac), 8));
}

std::optional<std::string> mask_value(MaskStyle style, std::string_view value,
                                      std::int16_t format, std::uint32_t type_oid,
                                      std::string_view key) {
  if (style == MaskStyle::Null || (format != 0 && format != 1)) return std::nullopt;
  const bool binary = format == 1;
  switch (classify(type_oid)) {
    case TypeClass::TextLike: return styled_text(style, value, key);
    case TypeClass::Json: return json_string(style, value, key);  // binary json is its text
    case TypeClass::Jsonb: {
      if (!binary) return json_string(style, value, key);
      // jsonb binary: version byte 1, then the text form. The hash covers the text only,
      // so that both formats of one value hash alike.
      if (value.empty() || value.front() != '\x01') return std::nullopt;
      auto text = json_string(style, value.substr(1), key);
      if (!text) return std::nullopt;
      return "\x01" + *text;
    }
    case TypeClass::UserDefined:
      if (binary) return std::nullopt;  // a binary layout Airlock does not know
      return styled_text(style, value, key);
    case TypeClass::Other: break;
  }
  return std::nullopt;
}

}  // namespace airlock::masking
