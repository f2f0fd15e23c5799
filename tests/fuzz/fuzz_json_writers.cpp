// libFuzzer target: every JSON writer of Airlock with arbitrary bytes in its strings.
// Invariants (abort() when violated): the text is valid UTF-8 and parses as JSON; a string
// reads back as sanitize_utf8 of the input; nothing throws. Covered:
//   - core append_json_string (audit records, JSON logs);
//   - an audit record with the input in every text field, read back by audit::parse;
//   - nlohmann dump with error_handler_t::replace (airlock check, approvals, webhooks);
//   - the check path: sql::analyze + policy::evaluate of the input as SQL, whose reason
//     quotes parser messages (the fullwidth-semicolon crash of issue #11).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "audit/record.hpp"
#include "core/json_string.hpp"
#include "core/utf8.hpp"
#include "policy/evaluate.hpp"
#include "sql/analyze.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

// Valid UTF-8 (valid_utf8 also refuses NUL; JSON text holds it escaped) that parses.
nlohmann::json parsed(const std::string& text) {
  check(airlock::valid_utf8(text));
  auto j = nlohmann::json::parse(text, nullptr, false);
  check(!j.is_discarded());
  return j;
}

const airlock::policy::AgentPolicy& policy() {
  static const airlock::policy::AgentPolicy p = [] {
    airlock::policy::RuleSpec read;
    read.tables = {"public.tickets"};
    read.actions = {"select"};
    const airlock::policy::RuleSpec specs[] = {read};
    return airlock::policy::AgentPolicy::compile("fuzz", specs, {});
  }();
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  const std::string clean = airlock::sanitize_utf8(in);

  std::string s;
  airlock::append_json_string(s, in);
  check(parsed(s).get<std::string>() == clean);

  airlock::audit::Record r;
  r.agent = r.application_name = r.statement = r.reason = r.error = in;
  r.tables = {in, "public.t"};
  const std::string line = airlock::audit::serialize(r);
  parsed(line);
  const auto back = airlock::audit::parse(line);
  check(back.has_value() && back->statement == clean && back->reason == clean);

  nlohmann::ordered_json j;
  j["id"] = in;
  j["reason"] = in;
  parsed(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));

  const airlock::policy::Decision d =
      airlock::policy::evaluate(policy(), airlock::sql::analyze(in), {});
  check(airlock::sanitize_utf8(d.reason) == d.reason);
  nlohmann::ordered_json out;
  out["rule"] = d.rule;
  out["reason"] = d.reason;
  parsed(out.dump());  // no error handler: the reason must already be valid UTF-8
  return 0;
}
