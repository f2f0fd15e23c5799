// libFuzzer target: the input is the body of a v3 StartupMessage (key\0value\0...\0).
// It is framed, decoded and parsed the way a client's first packet is, then validated.
// The first input byte picks the administrator's extra allowlist so that path is fuzzed too.
// Invariants of an accepted startup (abort() when violated):
//   - the settings end with client_encoding=UTF8, standard_conforming_strings=on, and
//     neither name appears anywhere before;
//   - every setting name is lower-case [a-z0-9_.] and on the allowlist;
//   - every value, the user, the database and application_name are valid UTF-8 without
//     control characters (they reach upstream, logs and ErrorResponses).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/utf8.hpp"
#include "protocol/frame.hpp"
#include "protocol/startup.hpp"
#include "proxy/startup_params.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool clean(std::string_view v) {
  if (!airlock::valid_utf8(v)) return false;
  return std::none_of(v.begin(), v.end(),
                      [](unsigned char c) { return c < 0x20 || c == 0x7F; });
}

bool clean_name(std::string_view n) {
  return !n.empty() && std::all_of(n.begin(), n.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
}

void store_be32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace airlock;
  if (size == 0 || size > 9000) return 0;
  std::vector<std::string> extra;
  switch (data[0] % 4) {
    case 1: extra = {"work_mem"}; break;
    case 2: extra = {"client_encoding", "standard_conforming_strings", "role"}; break;
    case 3: extra = {"work_mem", "my.tenant"}; break;
    default: break;
  }
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string packet;
  store_be32(packet, static_cast<std::uint32_t>(body.size() + protocol::kStartupHeader));
  store_be32(packet, protocol::kProtocolV3);
  packet.append(body);

  protocol::Frame f;
  check(protocol::decode_startup(packet, 10000, f) == protocol::DecodeStatus::Ready);
  const auto parsed = protocol::parse_startup(f);
  if (!parsed) return 0;
  const auto* msg = std::get_if<protocol::StartupMessage>(&*parsed);
  check(msg != nullptr);

  const auto r = proxy::validate_startup(*msg, extra);
  if (!r) {
    check(!r.error().sqlstate.empty() && !r.error().message.empty());
    return 0;
  }
  const auto& s = r->settings;
  check(s.size() >= 2);
  check(s[s.size() - 2].first == "client_encoding" && s[s.size() - 2].second == "UTF8");
  check(s[s.size() - 1].first == "standard_conforming_strings" && s[s.size() - 1].second == "on");
  const auto& builtin = proxy::default_allowed_startup_settings();
  for (std::size_t i = 0; i + 2 < s.size(); ++i) {
    const auto& [name, value] = s[i];
    check(name != "client_encoding" && name != "standard_conforming_strings");
    check(clean_name(name));
    check(std::find(builtin.begin(), builtin.end(), name) != builtin.end() ||
          std::find(extra.begin(), extra.end(), name) != extra.end());
    check(clean(value));
    for (std::size_t j = 0; j < i; ++j) check(s[j].first != name);  // one entry per name
  }
  check(!r->user.empty() && clean(r->user));
  check(clean(r->database));
  check(clean(r->application_name));
  return 0;
}
