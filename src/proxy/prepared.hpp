#pragma once
// What Airlock judged for each prepared-statement and portal name of a session: the values
// the session keeps in its protocol::NameState (name_state.hpp), which follows the server's
// confirmations. One struct per name, so what a name may do cannot drift between maps.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocol/rows.hpp"
#include "proxy/statement_hook.hpp"

namespace airlock::proxy {

// A RowDescription that owns its bytes (FieldDescription's names are views into them), so it
// can outlive the receive buffer it came in.
struct Described {
  std::string body;
  std::vector<protocol::FieldDescription> fields;
  static std::shared_ptr<const Described> copy(const protocol::Frame& f);
};

struct PreparedStatement {
  // A protocol Parse: its decision's parts. Null `info`: made by SQL PREPARE, which only
  // `EXECUTE name` may run (judged by `sql_decision`); a Bind of it is refused.
  std::shared_ptr<const StatementInfo> info;
  std::shared_ptr<const MaskPlan> mask;
  std::shared_ptr<const GuardSpec> guard;
  std::shared_ptr<const HoldSpec> hold;
  std::string sql;          // guarded or held: the text, re-issued by the row guard
  std::string param_types;  // guarded or held: as the client declared them
  std::shared_ptr<const NameEffects> effects;  // what executing it does to names
  std::shared_ptr<const policy::Decision> sql_decision;  // SQL PREPARE only
  // `EXECUTE x` inside it was judged with x's value then: it runs only while x still holds it.
  std::vector<std::pair<std::string, std::shared_ptr<const void>>> uses;
  // The result's columns, as the server described them (a Describe of the statement or of a
  // portal of it, perhaps in an earlier batch): masking knows the shape from it. Set by the
  // session's thread only, when the answer arrives.
  mutable std::shared_ptr<const Described> described;
};

struct BoundPortal {
  std::shared_ptr<const PreparedStatement> statement;  // null: a cursor made by DECLARE
  std::vector<std::int16_t> formats;  // masked: Bind's result format codes
  std::string bind_rest;              // guarded or held: parameters and formats, re-issued
};

}  // namespace airlock::proxy
