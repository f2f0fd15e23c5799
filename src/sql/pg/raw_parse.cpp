// Runs pg_query_raw_parse inside its own memory context and translates every RawStmt.
//
// Memory: pg_query_enter_memory_context() creates a child of libpg_query's (thread-local)
// top context; every parse node lives there until pg_query_exit_memory_context() deletes
// it. The error struct and stderr buffer are malloc'ed by the library and freed here.
#include "sql/pg/raw_parse.hpp"

#include <cstdlib>

#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {
namespace {

class ParseContext {
 public:
  ParseContext() : ctx_(pg_query_enter_memory_context()) {}
  ~ParseContext() { pg_query_exit_memory_context(ctx_); }
  ParseContext(const ParseContext&) = delete;
  ParseContext& operator=(const ParseContext&) = delete;

 private:
  MemoryContext ctx_;
};

class RawResult {
 public:
  explicit RawResult(const char* sql) : r_(pg_query_raw_parse(sql)) {}
  ~RawResult() {
    if (r_.error != nullptr) pg_query_free_error(r_.error);
    std::free(r_.stderr_buffer);
  }
  RawResult(const RawResult&) = delete;
  RawResult& operator=(const RawResult&) = delete;
  const PgQueryInternalParsetreeAndError& get() const { return r_; }

 private:
  PgQueryInternalParsetreeAndError r_;
};

}  // namespace

Analysis parse_and_translate(const std::string& sql, int max_walk_depth) {
  Analysis a;
  ParseContext ctx;
  RawResult raw(sql.c_str());
  if (const PgQueryError* e = raw.get().error; e != nullptr) {
    a.outcome = Outcome::ParseError;
    a.reason = e->message != nullptr ? e->message : "syntax error";
    a.error_position = e->cursorpos > 0 ? e->cursorpos - 1 : -1;  // cursorpos is 1-based
    return a;
  }
  List* stmts = raw.get().tree;
  for (ListCell* lc = list_head(stmts); lc; lc = lnext(stmts, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    StatementFacts f;
    if (n == nullptr || !IsA(n, RawStmt)) {
      a.outcome = Outcome::Unsupported;
      a.reason = "parser returned a non-statement node";
      a.statements.clear();
      return a;
    }
    auto* rs = castNode(RawStmt, n);
    const auto loc = static_cast<std::size_t>(rs->stmt_location > 0 ? rs->stmt_location : 0);
    f.text_offset = loc < sql.size() ? loc : sql.size();
    f.text_length = rs->stmt_len > 0 ? static_cast<std::size_t>(rs->stmt_len)
                                     : sql.size() - f.text_offset;  // 0 = rest of string
    Translator t(f, max_walk_depth);
    t.statement(rs->stmt);
    if (t.too_deep()) {
      a.outcome = Outcome::TooDeep;
      a.reason = "statement nesting exceeds the walk limit";
      a.statements.clear();
      return a;
    }
    if (f.kind == StatementKind::Unsupported && f.unsupported_reason.empty())
      f.unsupported_reason = "unsupported statement";
    a.statements.push_back(std::move(f));
  }
  a.outcome = Outcome::Ok;
  return a;
}

}  // namespace airlock::sql::pg
