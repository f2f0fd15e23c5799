#pragma once
// The facts `sql::analyze` extracts from one SQL string. Policy code sees only these types;
// libpg_query and the PostgreSQL node headers stay inside src/sql/pg/.
//
// Names are as the PostgreSQL parser produced them: unquoted identifiers folded to lower
// case, quoted ones (including U&"..." escapes) kept exactly. An empty `schema` means
// "unqualified as written"; `resolved_schema` is the schema the catalog and search_path
// resolved the name to (resolve.hpp), empty when unresolved.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace airlock::sql {

enum class StatementKind : std::uint8_t {
  Select, Insert, Update, Delete, Merge, Ddl, Copy, TransactionControl, Set, Reset, Show,
  Discard, Listen, Notify, Unlisten, Prepare, Execute, Deallocate, DeclareCursor, Fetch,
  ClosePortal, Explain, Lock, Truncate, Call, Do, Vacuum, Analyze, Grant, Checkpoint, Load,
  RefreshMatView, TwoPhase, Unsupported
};

enum class AccessMode : std::uint8_t {
  Read, Insert, Update, Delete, Truncate, Ddl, Lock, Copy  // Copy: COPY ... FROM (writes rows)
};

enum class RelationKind : std::uint8_t {
  Unknown, Table, View, MatView, Sequence, Foreign, Partitioned
};

enum class Volatility : std::uint8_t { Unknown, Immutable, Stable, Volatile };

// Which rows an UPDATE/DELETE (or MERGE) may touch, judged from its WHERE clause (MERGE: its
// join condition). Tautological: the predicate does not restrict the target's rows (constant
// true, an always-true OR branch, `id = id`, IS NOT NULL on a NOT NULL column, or no column
// of the target at all). Restrictive: anything else, including constant false.
enum class WhereShape : std::uint8_t { NotApplicable, Absent, Tautological, Restrictive };

// Where a relation was named. A name equal to an enclosing WITH query is a CTE reference,
// not a table; it is still reported (flagged) so that nothing is silently dropped.
struct RelationRef {
  std::string catalog;  // rare three-part names: db.schema.table
  std::string schema;   // empty = unqualified
  std::string name;
  AccessMode mode = AccessMode::Read;
  bool in_cte = false;         // inside the body of a WITH query
  bool in_subquery = false;    // inside a sub-SELECT (FROM, expression, set operation arm)
  bool cte_reference = false;  // unqualified name matching a WITH query in scope
  int location = -1;           // byte offset in the analyzed text, -1 if unknown

  // Filled by resolution against a catalog (resolve.hpp). CTE references stay unresolved.
  std::string resolved_schema;
  bool resolved = false;
  RelationKind kind = RelationKind::Unknown;
  // Update and Delete entries (also MERGE's and ON CONFLICT's): the rows they may touch.
  WhereShape where_shape = WhereShape::NotApplicable;
};

enum class FunctionSite : std::uint8_t {
  Expression,     // target list, WHERE, ON, VALUES, RETURNING, ...
  FromClause,     // SELECT * FROM f(...), ROWS FROM, LATERAL functions
  DdlExpression,  // DEFAULT, CHECK, index expressions, generated columns, partition bounds
  Call,           // CALL p(...)
};

struct FunctionRef {
  std::string catalog;
  std::string schema;  // empty = unqualified
  std::string name;
  int arg_count = 0;
  FunctionSite site = FunctionSite::Expression;
  int location = -1;

  // One entry per argument: its value when the argument is a constant expression (folded:
  // `5`, `'a' || 'b'`, `'x'::regclass` gives "x"), std::nullopt otherwise and for NULL.
  std::vector<std::optional<std::string>> literal_args;

  // Filled by resolution: pg_catalog first unless the search_path names it.
  std::string resolved_schema;
  bool resolved = false;
  Volatility volatility = Volatility::Unknown;  // most volatile overload that fits arg_count
  bool security_definer = false;
  // Unqualified calls: the other schemas of the search path holding an overload of the name
  // that accepts arg_count. PostgreSQL picks among all of them by argument types (an exact
  // public.lower(integer) beats pg_catalog.lower(text) for `lower(1)`), which the catalog
  // does not record: any of them may run. `volatility` is that of resolved_schema's.
  std::vector<std::string> other_schemas;
  // pg_catalog's nextval/currval/setval with a literal first argument naming a sequence the
  // catalog holds: where the search path finds it, as regclass input would ('s' → public.s).
  std::string regclass_schema;
  std::string regclass_name;
};

// A column of a relation named in the statement. `schema` is the resolved schema when the
// relation resolved, else as written (maybe empty). `column` "*" stands for every column of
// the relation when the catalog could not list them.
struct ColumnRef {
  std::string schema;
  std::string relation;
  std::string column;

  friend bool operator==(const ColumnRef&, const ColumnRef&) = default;
};

// Columns read and written per relation, over the whole statement (every subquery, CTE,
// clause). Unqualified names that could belong to several relations are reported for each.
struct ColumnAccess {
  std::string schema;  // as ColumnRef::schema
  std::string relation;
  bool resolved = false;
  std::vector<std::string> read;     // sorted, unique; includes expansions of `*` when known
  std::vector<std::string> written;  // UPDATE SET, INSERT/COPY FROM column lists, MERGE
  bool reads_all = false;   // `*`, `t.*`, whole-row reference, TABLE t, COPY t TO
  bool writes_all = false;  // INSERT / COPY FROM without a column list
};

// One column of the statement's result (top-level SELECT, RETURNING, or the query of a
// COPY/DECLARE/PREPARE wrapper), in result order, with the columns its value derives from.
struct OutputColumn {
  std::string name;
  std::vector<ColumnRef> sources;
  bool opaque = false;  // sources not fully known (user function, SQL-running builtin, ...)
  bool star = false;    // an unexpanded `*`: zero or more result columns; later positions unknown
  // The value is a stored column's value as it is: a plain column reference, through
  // aliases, sub-selects, WITH queries and `*`; in set operations, in every arm. Not for
  // expressions, casts, functions or whole-row values. Masking keeps a column's partial or
  // hash style only then: a suffix or a hash of `substr(phone, 1, 6)` or of
  // `CASE WHEN id = 1 THEN 'guess' ELSE email END` would reveal what the style hides.
  bool direct = false;
};

enum class TransactionOp : std::uint8_t {
  Begin, Start, Commit, Rollback, Savepoint, Release, RollbackTo, PrepareTransaction,
  CommitPrepared, RollbackPrepared
};

struct TransactionInfo {
  TransactionOp op = TransactionOp::Begin;
  std::optional<bool> read_only;  // BEGIN/START ... READ ONLY / READ WRITE
  std::string isolation;          // e.g. "serializable"; empty when not given
  std::string name;               // savepoint name or two-phase gid
  bool chain = false;             // COMMIT/ROLLBACK AND CHAIN
};

enum class SettingScope : std::uint8_t {
  Session,                // SET x / RESET x
  Local,                  // SET LOCAL x
  Transaction,            // SET TRANSACTION ...
  SessionCharacteristics  // SET SESSION CHARACTERISTICS AS TRANSACTION ...
};

enum class SettingAction : std::uint8_t { Set, SetDefault, SetFromCurrent, Reset, ResetAll };

// One parameter changed by SET/RESET. SET TRANSACTION READ WRITE yields
// {name "transaction_read_only", value "false", scope Transaction}.
struct SettingChange {
  std::string name;   // lower-case parameter name; empty for RESET ALL
  std::string value;  // the value as written, list items joined by ", "
  SettingScope scope = SettingScope::Session;
  SettingAction action = SettingAction::Set;
};

struct CopyInfo {
  bool is_from = false;     // COPY ... FROM (load) vs TO (dump)
  bool is_program = false;  // FROM/TO PROGRAM
  std::string target;       // file name or program text; empty for STDIN/STDOUT
};

struct StatementFacts {
  StatementKind kind = StatementKind::Unsupported;
  // For wrappers (EXPLAIN, PREPARE, DECLARE CURSOR, CREATE TABLE AS, COPY (query)): the kind
  // of the wrapped statement; otherwise equal to `kind`.
  StatementKind inner_kind = StatementKind::Unsupported;
  std::string command;  // PostgreSQL-style command name, e.g. "DROP SCHEMA", "CREATE TABLE"

  std::vector<RelationRef> relations;
  std::vector<FunctionRef> functions;
  std::vector<ColumnAccess> column_access;
  std::vector<OutputColumn> output_columns;
  // The least restrictive shape over the statement's Update/Delete relations (Absent <
  // Tautological < Restrictive), NotApplicable when it writes no existing rows.
  WhereShape where_shape = WhereShape::NotApplicable;

  bool has_data_modifying_cte = false;  // WITH x AS (INSERT/UPDATE/DELETE ...)
  bool is_explain_analyze = false;      // EXPLAIN (ANALYZE) executes its statement
  bool select_into = false;             // SELECT ... INTO new_table
  bool row_locking = false;             // FOR UPDATE / SHARE / ...
  bool has_where = false;               // UPDATE/DELETE with WHERE (or WHERE CURRENT OF)
  bool on_conflict_update = false;      // INSERT ... ON CONFLICT DO UPDATE
  bool has_returning = false;
  // A FROM (or UPDATE FROM / DELETE USING) clause with any item, at any level: tables,
  // sub-selects, VALUES, functions, XMLTABLE. Rows a target-list function runs once for.
  bool has_from = false;

  // Columns whose values the statement stores: INSERT values and sub-selects, UPDATE SET
  // and MERGE values (also in WITH queries), SELECT INTO, CREATE TABLE AS and the query of
  // CREATE [MATERIALIZED] VIEW. A masked column here would be copied where it is not
  // masked. `stored_opaque`: some stored value's sources are not fully known.
  std::vector<ColumnRef> stored_sources;
  bool stored_opaque = false;

  std::optional<TransactionInfo> transaction;
  std::vector<SettingChange> settings;
  std::optional<CopyInfo> copy;
  std::string object_name;  // PREPARE/EXECUTE/DEALLOCATE/cursor/channel name when relevant

  std::size_t text_offset = 0;  // this statement's byte range in the analyzed text
  std::size_t text_length = 0;

  // Non-empty when any part of the statement was not understood; policy must deny then.
  std::string unsupported_reason;
};

enum class Outcome : std::uint8_t { Ok, Unsupported, ParseError, TooLarge, TooDeep, InvalidUtf8 };

struct Analysis {
  Outcome outcome = Outcome::Unsupported;
  std::string reason;       // empty when outcome is Ok
  int error_position = -1;  // byte offset of a parse error, when known
  std::vector<StatementFacts> statements;
  // The search path names were resolved with, as PostgreSQL searches it
  // (effective_search_path in resolve.hpp); nullopt when the text was not analyzed or the
  // catalog knows no schema (no schema file, no live server).
  std::optional<std::vector<std::string>> search_path;

  bool ok() const noexcept { return outcome == Outcome::Ok; }
};

}  // namespace airlock::sql
