// libFuzzer target: the input is everything an upstream server sends on one connection
// (the startup reply is typed already: 'R', 'S', 'K', 'Z', 'E', 'N', ...).
// Invariants: never crash or over-read; a Ready frame lies inside the input; a parsed
// message re-encodes to the same bytes where Airlock has an encoder for it; a DataRow
// rewritten with masked columns (result masking) is a DataRow of the same width with
// exactly the masked values replaced, and a malformed one is refused without output; the
// relay's DataRow check (check_data_row, RowCheck) accepts exactly the rows the decoder
// takes, and refuses a count only when it differs from the RowDescription in effect.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <optional>
#include <vector>

#include "protocol/backend.hpp"
#include "protocol/frame.hpp"
#include "protocol/frontend.hpp"
#include "protocol/row_check.hpp"
#include "protocol/rows.hpp"

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

// Masks the columns picked by the bits of the frame's last byte (positions 0-7, so some
// fall beyond narrow rows); odd masks become NULL, even ones a run of '*'.
void data_row(const Frame& f) {
  const auto values = parse_data_row(f);
  check((check_data_row(f.body) == RowFault::None) == values.has_value());
  if (values) {
    check(check_data_row(f.body, static_cast<int>(values->size())) == RowFault::None);
    check(check_data_row(f.body, static_cast<int>(values->size()) + 1) == RowFault::CountMismatch);
  }
  const unsigned pattern = f.body.empty() ? 0u : static_cast<unsigned char>(f.body.back());
  std::vector<ColumnMask> masks;
  for (std::size_t i = 0; i < 8; ++i) {
    if ((pattern >> i) & 1u) masks.push_back(ColumnMask{i});
  }
  const auto replacement = [](std::size_t i, std::string_view v) -> std::optional<std::string> {
    if (i % 2 == 1) return std::nullopt;
    return std::string(v.size() % 7, '*');
  };
  std::string out = "x";
  const bool ok = append_data_row_masked(out, f, masks, replacement);
  if (!values) {
    check(!ok && out == "x");
    return;
  }
  const bool beyond = !masks.empty() && masks.back().position >= values->size();
  check(ok == !beyond);
  if (!ok) {
    check(out == "x");
    return;
  }
  const std::string rebuilt = out.substr(1);  // the Frame below views it
  Frame g;
  check(decode_typed(rebuilt, rebuilt.size(), g) == DecodeStatus::Ready &&
        g.size == rebuilt.size());
  const auto again = parse_data_row(g);
  check(again && again->size() == values->size());
  std::size_t next = 0;
  for (std::size_t col = 0; col < values->size(); ++col) {
    const auto& before = (*values)[col];
    const auto& after = (*again)[col];
    if (next < masks.size() && masks[next].position == col) {
      const std::size_t i = next++;
      if (!before) check(!after);
      else if (i % 2 == 1) check(!after);
      else check(after && *after == std::string(before->size() % 7, '*'));
    } else {
      check(before == after);
    }
  }
}

// The stream as the answers to a simple Query (every result describes itself) or to a
// Describe of the unnamed portal followed by its Execute, as the relay feeds RowCheck.
class Relay {
 public:
  explicit Relay(bool extended) {
    if (!extended) {
      rows_.query(0);
      return;
    }
    std::string wire;
    append_describe(wire, 'P', "");
    append_execute(wire, "", 0);
    for (std::string_view in = wire; !in.empty();) {
      Frame f;
      check(decode_typed(in, in.size(), f) == DecodeStatus::Ready);
      rows_.client(f, 0, 0);
      in.remove_prefix(f.size);
    }
  }
  void answer(const Frame& f) {
    const RowVerdict v = rows_.answer(f, batch_, results_);
    if (f.type == 'D') {
      const auto values = parse_data_row(f);
      if (v.fault == RowFault::CountMismatch) {
        check(values && v.expected >= 0 && values->size() != static_cast<std::size_t>(v.expected));
      } else {
        check((v.fault == RowFault::None) == values.has_value());
      }
    } else {
      check(v.fault == RowFault::None);
    }
    if (f.type == 'C' || f.type == 'I' || f.type == 's') ++results_;
    if (f.type == 'Z') {
      ++batch_;
      results_ = 0;
    }
  }

 private:
  RowCheck rows_;
  std::uint64_t batch_ = 0;
  std::size_t results_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Relay simple(false);
  Relay extended(true);
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
    simple.answer(f);
    extended.answer(f);
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
      case 'D':
        data_row(f);
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
