// Runs pg_query_raw_parse inside its own memory context (raw_tree.hpp) and translates every
// RawStmt: the Translator first (kinds, relations, functions, depth check), then the
// ColumnWalker (columns, result lineage, WHERE shapes), then name resolution.
#include "sql/pg/raw_parse.hpp"

#include "core/utf8.hpp"
#include "sql/pg/columns.hpp"
#include "sql/pg/raw_tree.hpp"
#include "sql/pg/translator.hpp"
#include "sql/resolve.hpp"

namespace airlock::sql::pg {

Analysis parse_and_translate(const std::string& sql, int max_walk_depth, const Catalog& catalog,
                             const std::vector<std::string>& search_path, bool select_columns) {
  Analysis a;
  ParseContext ctx;
  RawResult raw(sql.c_str());
  if (const PgQueryError* e = raw.get().error; e != nullptr) {
    a.outcome = Outcome::ParseError;
    // The scanner's "at or near" quotes the text cut at a byte count, which may split a
    // multibyte character (a fullwidth semicolon): the reason must stay valid UTF-8.
    a.reason = e->message != nullptr ? sanitize_utf8(e->message) : "syntax error";
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
    const bool plain_select = f.kind == StatementKind::Select && !f.has_data_modifying_cte &&
                              !f.select_into;
    if (select_columns || !plain_select) ColumnWalker(f, catalog, search_path).statement(rs->stmt);
    resolve(f, catalog, search_path);
    if (f.kind == StatementKind::Unsupported && f.unsupported_reason.empty())
      f.unsupported_reason = "unsupported statement";
    a.statements.push_back(std::move(f));
  }
  a.outcome = Outcome::Ok;
  return a;
}

}  // namespace airlock::sql::pg
