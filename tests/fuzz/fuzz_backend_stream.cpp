// libFuzzer target: the input is everything an upstream server sends on one connection
// (the startup reply is typed already: 'R', 'S', 'K', 'Z', 'E', 'N', ...).
// Invariants: never crash or over-read; a Ready frame lies inside the input; a parsed
// message re-encodes to the same bytes where Airlock has an encoder for it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/backend.hpp"
#include "protocol/frame.hpp"

namespace {

using namespace airlock::protocol;

constexpr std::size_t kMaxTyped = 64 * 1024;

void check(bool ok) {
  if (!ok) std::abort();
}

void auth(const Frame& f, std::string_view msg) {
  const auto a = parse_auth_request(f);
  if (!a) {
    check(!a.error().sqlstate.empty());
    return;
  }
  check(a->data.size() + 4 == f.body.size());
  std::string again;
  switch (a->code) {
    case AuthCode::Ok:
      append_auth_ok(again);
      check(again == msg);
      break;
    case AuthCode::Md5Password:
      check(a->data.size() == 4);
      break;
    case AuthCode::SaslContinue:
      append_auth_sasl_continue(again, a->data);
      check(again == msg);
      break;
    case AuthCode::SaslFinal:
      append_auth_sasl_final(again, a->data);
      check(again == msg);
      break;
    case AuthCode::CleartextPassword:
    case AuthCode::Sasl:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    Frame f;
    const DecodeStatus st = decode_typed(in, kMaxTyped, f);
    if (st == DecodeStatus::Invalid) break;
    if (st == DecodeStatus::NeedMore) {
      check(typed_bytes_wanted(in) > 0);
      break;
    }
    check(f.size >= kTypedHeader && f.size <= in.size() && f.size <= kMaxTyped);
    check(f.body.size() == f.size - kTypedHeader && f.body.data() == in.data() + kTypedHeader);
    const std::string_view msg = in.substr(0, f.size);
    (void)is_backend_message_type(f.type);
    switch (f.type) {
      case 'R':
        auth(f, msg);
        break;
      case 'E':
      case 'N':
        if (const auto e = parse_error(f)) {
          for (std::string_view v : {e->severity, e->sqlstate, e->message}) {
            check(v.empty() || (v.data() >= f.body.data() &&
                                v.data() + v.size() <= f.body.data() + f.body.size()));
          }
        }
        break;
      case 'S':
        if (const auto p = parse_parameter_status(f)) {
          std::string again;
          append_parameter_status(again, p->name, p->value);
          check(again == msg);
        }
        break;
      case 'K':
        if (const auto k = parse_backend_key_data(f)) {
          std::string again;
          append_backend_key_data(again, k->pid, k->secret);
          check(again == msg);
        }
        break;
      case 'Z':
        if (const auto z = parse_ready_for_query(f)) {
          std::string again;
          append_ready_for_query(again, *z);
          check(again == msg);
        }
        break;
      default:
        break;
    }
    in.remove_prefix(f.size);
  }
  // The same bytes as a client's startup packet must not confuse the startup decoder.
  Frame f;
  (void)decode_startup(std::string_view(reinterpret_cast<const char*>(data), size), 10000, f);
  return 0;
}
