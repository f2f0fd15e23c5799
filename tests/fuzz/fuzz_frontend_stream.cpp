// libFuzzer target: the input is everything a client sends on one connection.
// Startup phase first (SSLRequest/GSSENCRequest may repeat before the StartupMessage, as
// negotiation allows), then typed messages, each handed to the parser for its type.
// Invariants: never crash or over-read; a Ready frame lies inside the input and its length
// field matches; a parsed message re-encodes to the same bytes where an encoder exists
// (Query, Parse with its parameter types, Bind, Execute, Describe, Close, SASL).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "core/bytes.hpp"
#include "protocol/frame.hpp"
#include "protocol/frontend.hpp"
#include "protocol/startup.hpp"

namespace {

using namespace airlock::protocol;
using airlock::load_be16;

constexpr std::size_t kMaxStartup = 10000;
constexpr std::size_t kMaxTyped = 64 * 1024;  // small, so fuzzed lengths reach the bound

void check(bool ok) {
  if (!ok) std::abort();
}

bool contains_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

void check_frame(std::string_view in, const Frame& f, std::size_t header) {
  check(f.size >= header && f.size <= in.size());
  check(f.body.size() == f.size - header);
  check(f.body.data() == in.data() + header);
}

// Returns how many bytes the startup phase used, or npos when the connection would close.
std::size_t startup_phase(std::string_view in) {
  std::size_t used = 0;
  for (int round = 0; round < 3; ++round) {
    const std::string_view rest = in.substr(used);
    Frame f;
    const DecodeStatus st = decode_startup(rest, kMaxStartup, f);
    if (st != DecodeStatus::Ready) return std::string_view::npos;
    check_frame(rest, f, kStartupHeader);
    check(f.size <= kMaxStartup);
    used += f.size;
    const auto r = parse_startup(f);
    if (!r) {
      check(!r.error().sqlstate.empty() && !r.error().message.empty());
      return std::string_view::npos;
    }
    if (const auto* m = std::get_if<StartupMessage>(&*r)) {
      check(m->version == kProtocolV3);
      // Re-encoding the parameters gives back the very packet.
      std::string again;
      append_startup(again, m->params);
      check(again == rest.substr(0, f.size));
      return used;
    }
    if (const auto* c = std::get_if<CancelRequest>(&*r)) {
      std::string again;
      append_cancel_request(again, c->pid, c->secret);
      check(again == rest.substr(0, f.size));
      return std::string_view::npos;  // a cancel connection ends here
    }
    // SSLRequest or GSSENCRequest: the server answers 'N' and the client tries again.
  }
  return std::string_view::npos;
}

void typed_phase(std::string_view in) {
  while (!in.empty()) {
    Frame f;
    const DecodeStatus st = decode_typed(in, kMaxTyped, f);
    const std::size_t wanted = typed_bytes_wanted(in);
    if (st == DecodeStatus::Invalid) return;
    if (st == DecodeStatus::NeedMore) {
      check(wanted > 0);
      return;
    }
    check(wanted == 0);
    check_frame(in, f, kTypedHeader);
    check(f.size <= kMaxTyped);
    const std::string_view msg = in.substr(0, f.size);
    (void)is_frontend_message_type(f.type);
    switch (f.type) {
      case 'Q': {
        if (const auto q = parse_query(f)) {
          std::string again;
          append_query(again, *q);
          check(again == msg);
        }
        break;
      }
      case 'P': {
        if (const auto p = parse_parse(f)) {
          const std::size_t oids = std::size_t{4} * p->param_type_count;
          check(p->statement.size() + 1 + p->query.size() + 1 + 2 + oids == f.body.size());
          // param_types is the count and the OIDs, as sent: the row guard re-issues it.
          check(p->param_types.size() == 2 + oids);
          check(p->param_types.data() + p->param_types.size() == f.body.data() + f.body.size());
          check(load_be16(p->param_types.data()) == p->param_type_count);
          check(!contains_nul(p->statement) && !contains_nul(p->query));
          std::string again;
          append_parse(again, p->statement, p->query, p->param_types);
          check(again == msg);
        }
        break;
      }
      case 'B': {
        if (const auto b = parse_bind(f)) {
          check(!contains_nul(b->portal) && !contains_nul(b->statement));
          check(b->portal.size() + 1 + b->statement.size() + 1 + b->rest.size() == f.body.size());
          check(b->rest.data() + b->rest.size() == f.body.data() + f.body.size());
          // Re-issued under other names with the same parameters and formats. An empty rest
          // (not a valid Bind) is re-encoded as "no parameters, text results".
          std::string again;
          append_bind(again, b->portal, b->statement, b->rest);
          if (!b->rest.empty()) check(again == msg);
        }
        break;
      }
      case 'E': {
        if (const auto e = parse_execute(f)) {
          check(e->portal.size() + 1 + 4 == f.body.size());
          std::string again;
          append_execute(again, e->portal, e->max_rows);
          check(again == msg);
        }
        break;
      }
      case 'D':
      case 'C': {
        if (const auto t = parse_target(f)) {
          check(t->kind == 'S' || t->kind == 'P');
          check(t->name.size() + 2 == f.body.size() && !contains_nul(t->name));
          std::string again;
          if (f.type == 'D') append_describe(again, t->kind, t->name);
          else append_close(again, t->kind, t->name);
          check(again == msg);
        }
        break;
      }
      case 'p': {
        // Which of SASLInitialResponse/SASLResponse/PasswordMessage it is depends on the
        // session state; parse it as the initial response, which has the most structure.
        if (const auto s = parse_sasl_initial_response(f)) {
          check(s->mechanism.size() < f.body.size());
          check(s->data.size() <= f.body.size() - s->mechanism.size() - 5);
          std::string again;
          append_sasl_initial_response(again, s->mechanism, s->data);
          // Length -1 and length 0 both give empty data; only the latter re-encodes as sent.
          if (!s->data.empty()) check(again == msg);
        }
        break;
      }
      default:
        break;
    }
    in.remove_prefix(f.size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t used = startup_phase(in);
  if (used == std::string_view::npos) {
    // Also run the typed decoders over the raw input, so the corpus exercises them even
    // when the startup packet is broken.
    typed_phase(in);
    return 0;
  }
  typed_phase(in.substr(used));
  return 0;
}
