#pragma once
// The one point where a statement is decided before it goes upstream. The session calls
// the hook for every Query and every Parse (named or unnamed), on the session's own
// thread, synchronously: no statement waits for another thread.
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace airlock::proxy {

enum class StatementSource { SimpleQuery, Parse };

struct StatementEvent {
  StatementSource source = StatementSource::SimpleQuery;
  std::string_view agent;
  std::string_view statement_name;  // Parse only; "" = unnamed
  std::string_view sql;             // valid only during the call
  char transaction_status = 'I';    // as of the last ReadyForQuery relayed
};

struct Verdict {
  bool forward = true;
  Error error;  // when !forward: sent to the client as an ErrorResponse
  std::string hint;

  static Verdict allow() { return {}; }
  static Verdict deny(Error e, std::string hint_text = {}) {
    return Verdict{false, std::move(e), std::move(hint_text)};
  }
};

class StatementHook {
 public:
  virtual ~StatementHook() = default;
  virtual Verdict on_statement(const StatementEvent& ev) = 0;
};

}  // namespace airlock::proxy
