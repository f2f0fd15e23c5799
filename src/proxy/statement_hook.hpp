#pragma once
// The one point where a statement is decided before it goes upstream. The session calls
// the hook for every Query and every Parse (named or unnamed), on the session's own
// thread, synchronously: no statement waits for another thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/mask_style.hpp"
#include "policy/decision.hpp"

namespace airlock::proxy {

enum class StatementSource { SimpleQuery, Parse };

struct StatementEvent {
  StatementSource source = StatementSource::SimpleQuery;
  std::string_view agent;
  std::string_view statement_name;  // Parse only; "" = unnamed
  std::string_view sql;             // valid only during the call
  char transaction_status = 'I';    // as of the last ReadyForQuery relayed
  // The intent stated for the session or the current tool call (application_name, the MCP
  // `intent` argument; core/intent_text.hpp), cleaned; "" = none. A comment of the statement
  // overrides it (StatementInfo::intent).
  std::string_view session_intent;
};

// A write budget that applies to a statement (config::Budget, as the session needs it).
struct BudgetRef {
  std::string id;
  std::vector<std::string> tables;  // empty: every table
  std::int64_t max_rows = 0;
  std::int64_t window_ms = 0;
  bool hold = false;  // over budget: hold for approval instead of denying
};

// How a forwarded write must run: under the row guard (row_guard.hpp).
struct GuardSpec {
  std::optional<std::uint64_t> row_limit;
  bool hold_over_limit = false;
  std::string rule;     // the entry that set the limit
  std::string command;  // "UPDATE", "DELETE", ... for messages
  std::string tables;   // the tables it writes, for messages ("public.subscriptions")
  std::vector<BudgetRef> budgets;
  // It may return rows (RETURNING, a SELECT around a data-modifying WITH): a row limit on its
  // Execute would then suspend it, which the guard cannot re-issue. A plain write returns
  // none, and a row limit changes nothing (pgjdbc's executeBatch sends one).
  bool returns_rows = true;
};

// Result columns to mask (policy::Decision::masked_outputs), per statement of the string.
struct MaskPlan {
  struct Column {
    std::size_t position = 0;
    MaskStyle style = MaskStyle::Full;
  };
  struct Statement {
    std::size_t index = 0;              // statement of the query string (0 for a Parse)
    std::vector<Column> columns;        // sorted by position
    std::vector<std::string> names;     // the expected result columns, to check the shape
    bool open_ended = false;            // more columns may follow `names`
  };
  std::vector<Statement> statements;    // sorted by index
  bool redact_errors = false;           // the statement reads a masked column somewhere
  std::string key;                      // for MaskStyle::Hash
  const Statement* find(std::size_t index) const {
    for (const auto& s : statements) {
      if (s.index == index) return &s;
    }
    return nullptr;
  }
};

// A statement a human must approve first (a `hold:` entry).
struct HoldSpec {
  std::string rule;
  std::string reason;
};

// Transaction control as shadow mode (shadow.hpp) must treat it: Begin/Commit/Rollback are
// emulated; NeedsBlock statements (SAVEPOINT, RELEASE, ROLLBACK TO, LOCK) are refused
// outside the agent's transaction block, as PostgreSQL refuses them.
enum class TxControl : std::uint8_t { None, Begin, Commit, Rollback, NeedsBlock };

// What the audit trail records about a statement: computed with its decision and cached with
// it, so a repeated statement costs no normalization.
struct StatementInfo {
  std::string statement;    // normalized (literals redacted) unless the policy keeps literals
  std::string fingerprint;  // with an audit trail libpg_query's; else a hash of the exact text
  std::vector<std::string> tables;
  std::string decision;     // allow | deny | hold: the policy's, also in observe mode
  std::string rule;
  std::string reason;
  std::string intent;       // stated in a comment of the text (sql/intent_comment.hpp)
  bool needs_intent = false;  // the agent's require_intent applies (proxy/intent_rule.hpp)
  bool read_only = false;   // changes nothing: still runs when the audit trail is unwritable
  // Stricter: known to write nothing, functions included (policy/read_only.hpp); what a
  // read-only front may run.
  bool writes_nothing = false;
  TxControl tx = TxControl::None;  // set in shadow mode only
  std::string tx_command;          // NeedsBlock: "SAVEPOINT", "LOCK TABLE", ... for the error
};

// What running a statement does to the session's prepared statements and portals (SQL
// PREPARE, DEALLOCATE, DECLARE, CLOSE, DISCARD, COMMIT/ROLLBACK), and the names it uses
// (EXECUTE, FETCH/MOVE). The session applies them when the server confirms the statement
// (protocol/name_state.hpp), never when it is sent.
struct NameEffect {
  enum class Kind : std::uint8_t {
    Prepare,         // name: an SQL prepared statement; `decision` judges its EXECUTE
    Deallocate,      // name; "" = DEALLOCATE ALL
    Discard,         // DISCARD: every prepared statement and portal (conservatively)
    Declare,         // name: a cursor
    CloseCursor,     // name; "" = CLOSE ALL
    EndTransaction,  // COMMIT, ROLLBACK, PREPARE TRANSACTION: portals end
    Execute,         // uses the SQL prepared statement `name`
    Fetch,           // FETCH/MOVE: reads the portal or cursor `name`
  };
  Kind kind = Kind::Prepare;
  std::uint32_t statement = 0;  // index of the statement in the query string
  std::string name;
  std::shared_ptr<const policy::Decision> decision;
};
using NameEffects = std::vector<NameEffect>;

struct Verdict {
  bool forward = true;
  Error error;  // when !forward: sent to the client as an ErrorResponse
  std::string hint;
  std::shared_ptr<const GuardSpec> guard;  // forward under the row guard
  std::shared_ptr<const HoldSpec> hold;    // forward only once approved
  std::shared_ptr<const StatementInfo> info;  // null only for refusals made outside the policy
  std::shared_ptr<const MaskPlan> mask;       // result columns to mask, if any
  std::shared_ptr<const NameEffects> effects;  // null: none

  static Verdict allow() { return {}; }
  static Verdict deny(Error e, std::string hint_text = {}) {
    return Verdict{false, std::move(e), std::move(hint_text), nullptr, nullptr, nullptr, nullptr,
                   nullptr};
  }
};

// How `EXECUTE name` is judged: the decision of the SQL PREPARE the session's server is known
// to hold under `name`, or nullopt (not prepared, or not known for sure).
using PreparedLookup = std::function<std::optional<policy::Decision>(std::string_view name)>;

class StatementHook {
 public:
  virtual ~StatementHook() = default;
  virtual Verdict on_statement(const StatementEvent& ev) = 0;
  virtual void set_prepared_lookup(PreparedLookup) {}
};

}  // namespace airlock::proxy
