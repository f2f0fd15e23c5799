// catalog_from_schema_sql: a Catalog from a DDL file such as `pg_dump --schema-only` output,
// read with the same parser as statements (catalog_sources.hpp lists what is taken).
#include <algorithm>
#include <sstream>

#include "core/utf8.hpp"
#include "sql/catalog_sources.hpp"
#include "sql/pg/columns.hpp"
#include "sql/pg/raw_tree.hpp"
#include "sql/pg/translator.hpp"
#include "sql/prescan.hpp"
#include "sql/resolve.hpp"

namespace airlock::sql {
namespace pg {
namespace {

// psql meta-commands (\connect, \restrict ...) are not SQL.
std::string without_meta_commands(std::string_view ddl) {
  std::string out;
  out.reserve(ddl.size());
  std::istringstream in{std::string(ddl)};
  for (std::string line; std::getline(in, line);)
    if (line.empty() || line[0] != '\\') out += line + "\n";
  return out;
}

class SchemaReader {
 public:
  explicit SchemaReader(Catalog& c) : cat_(c) {}

  void statement(Node* n, const std::string* create_schema) {
    if (n == nullptr) return;
    switch (nodeTag(n)) {
      case T_CreateSchemaStmt: {
        auto* s = castNode(CreateSchemaStmt, n);
        const std::string name = or_empty(s->schemaname);
        cat_.add_schema(name);
        for (ListCell* lc = list_head(s->schemaElts); lc; lc = lnext(s->schemaElts, lc))
          statement(static_cast<Node*>(lfirst(lc)), &name);
        break;
      }
      case T_VariableSetStmt: {
        auto* s = castNode(VariableSetStmt, n);
        if (std::string(or_empty(s->name)) != "search_path" || s->kind != VAR_SET_VALUE) break;
        path_.clear();
        for (ListCell* lc = list_head(s->args); lc; lc = lnext(s->args, lc))
          path_.push_back(const_text(static_cast<Node*>(lfirst(lc))));
        break;
      }
      case T_CreateStmt: create_table(castNode(CreateStmt, n), create_schema, RelationKind::Table); break;
      case T_CreateForeignTableStmt:
        create_table(&castNode(CreateForeignTableStmt, n)->base, create_schema, RelationKind::Foreign);
        break;
      case T_ViewStmt: {
        auto* s = castNode(ViewStmt, n);
        from_query(s->view, s->query, s->aliases, create_schema, RelationKind::View);
        break;
      }
      case T_CreateTableAsStmt: {
        auto* s = castNode(CreateTableAsStmt, n);
        if (s->into == nullptr) break;
        from_query(s->into->rel, s->query, s->into->colNames, create_schema,
                   s->objtype == OBJECT_MATVIEW ? RelationKind::MatView : RelationKind::Table);
        break;
      }
      case T_CreateSeqStmt: {
        CatalogRelation r = named(castNode(CreateSeqStmt, n)->sequence, create_schema);
        r.kind = RelationKind::Sequence;
        r.columns = {{"last_value", true}, {"log_cnt", true}, {"is_called", true}};
        cat_.add_relation(std::move(r));
        break;
      }
      case T_CreateFunctionStmt: function(castNode(CreateFunctionStmt, n), create_schema); break;
      case T_AlterTableStmt: alter_table(castNode(AlterTableStmt, n)); break;
      default: break;
    }
  }

 private:
  std::string creation_schema(const std::string* create_schema) const {
    if (create_schema != nullptr) return *create_schema;
    for (const std::string& s : path_)
      if (!s.empty() && s != "$user" && s != "pg_catalog") return s;
    return "public";
  }

  CatalogRelation named(RangeVar* rv, const std::string* create_schema) const {
    CatalogRelation r;
    r.name = or_empty(rv->relname);
    if (rv->schemaname != nullptr) r.schema = rv->schemaname;
    else if (rv->relpersistence == 't') r.schema = "pg_temp";  // RELPERSISTENCE_TEMP
    else r.schema = creation_schema(create_schema);
    return r;
  }

  const CatalogRelation* find(RangeVar* rv) const {
    return resolve_relation(cat_, or_empty(rv->schemaname), or_empty(rv->relname), path_);
  }

  static void set_not_null(CatalogRelation& r, List* keys) {
    for (ListCell* lc = list_head(keys); lc; lc = lnext(keys, lc)) {
      const int i = r.column_index(str_value(static_cast<Node*>(lfirst(lc))));
      if (i >= 0) r.columns[static_cast<std::size_t>(i)].not_null = true;
    }
  }

  static void add_column(CatalogRelation& r, ColumnDef* c) {
    CatalogColumn col{or_empty(c->colname), c->is_not_null};
    for (ListCell* lc = list_head(c->constraints); lc; lc = lnext(c->constraints, lc)) {
      auto* k = static_cast<Node*>(lfirst(lc));
      if (IsA(k, Constraint) && (castNode(Constraint, k)->contype == CONSTR_NOTNULL ||
                                 castNode(Constraint, k)->contype == CONSTR_PRIMARY))
        col.not_null = true;
    }
    if (r.column_index(col.name) < 0) r.columns.push_back(std::move(col));
  }

  void copy_columns(CatalogRelation& r, RangeVar* from) const {
    const CatalogRelation* src = from != nullptr ? find(from) : nullptr;
    if (src == nullptr) return;
    for (const CatalogColumn& c : src->columns)
      if (r.column_index(c.name) < 0) r.columns.push_back(c);
  }

  void create_table(CreateStmt* s, const std::string* create_schema, RelationKind kind) {
    CatalogRelation r = named(s->relation, create_schema);
    r.kind = s->partspec != nullptr ? RelationKind::Partitioned : kind;
    for (ListCell* lc = list_head(s->inhRelations); lc; lc = lnext(s->inhRelations, lc))
      if (IsA(static_cast<Node*>(lfirst(lc)), RangeVar)) copy_columns(r, lfirst_node(RangeVar, lc));
    for (ListCell* lc = list_head(s->tableElts); lc; lc = lnext(s->tableElts, lc)) {
      auto* e = static_cast<Node*>(lfirst(lc));
      if (IsA(e, ColumnDef)) add_column(r, castNode(ColumnDef, e));
      else if (IsA(e, TableLikeClause)) copy_columns(r, castNode(TableLikeClause, e)->relation);
    }
    for (List* cons : {s->tableElts, s->constraints})
      for (ListCell* lc = list_head(cons); lc; lc = lnext(cons, lc)) {
        auto* e = static_cast<Node*>(lfirst(lc));
        if (IsA(e, Constraint) && castNode(Constraint, e)->contype == CONSTR_PRIMARY)
          set_not_null(r, castNode(Constraint, e)->keys);
      }
    cat_.add_relation(std::move(r));
  }

  void from_query(RangeVar* rv, Node* query, List* aliases, const std::string* create_schema,
                  RelationKind kind) {
    if (rv == nullptr) return;
    CatalogRelation r = named(rv, create_schema);
    r.kind = kind;
    StatementFacts scratch;
    ColumnWalker w(scratch, cat_, path_);
    for (const Output& o : w.statement_outputs(query, nullptr)) {
      if (o.star) r.columns_known = false;
      r.columns.push_back({o.name, false});
    }
    std::size_t i = 0;
    for (ListCell* lc = list_head(aliases); lc && i < r.columns.size(); lc = lnext(aliases, lc), ++i)
      r.columns[i].name = str_value(static_cast<Node*>(lfirst(lc)));
    if (!r.columns_known) r.columns.clear();
    cat_.add_relation(std::move(r));
  }

  void function(CreateFunctionStmt* s, const std::string* create_schema) {
    CatalogFunction f;
    const int parts = list_length(s->funcname);
    if (parts < 1) return;
    f.name = str_value(static_cast<Node*>(llast(s->funcname)));
    f.schema = parts >= 2 ? str_value(static_cast<Node*>(list_nth(s->funcname, parts - 2)))
                          : creation_schema(create_schema);
    for (ListCell* lc = list_head(s->parameters); lc; lc = lnext(s->parameters, lc)) {
      auto* p = static_cast<Node*>(lfirst(lc));
      if (!IsA(p, FunctionParameter)) continue;
      auto* fp = castNode(FunctionParameter, p);
      if (fp->mode == FUNC_PARAM_OUT || fp->mode == FUNC_PARAM_TABLE) continue;
      ++f.nargs;
      if (fp->defexpr == nullptr) f.min_args = f.nargs;
      if (fp->mode == FUNC_PARAM_VARIADIC) f.variadic = true;
    }
    for (ListCell* lc = list_head(s->options); lc; lc = lnext(s->options, lc)) {
      auto* d = static_cast<Node*>(lfirst(lc));
      if (!IsA(d, DefElem)) continue;
      const std::string opt = or_empty(castNode(DefElem, d)->defname);
      const std::string val = const_text(castNode(DefElem, d)->arg);
      if (opt == "volatility") f.volatility = volatility_from_code(val.empty() ? 'v' : val[0]);
      else if (opt == "security") f.security_definer = val == "true";
    }
    cat_.add_function(std::move(f));
  }

  void alter_table(AlterTableStmt* s) {
    if (s->relation == nullptr) return;
    const CatalogRelation* found = find(s->relation);
    if (found == nullptr) return;
    CatalogRelation* r = cat_.own_relation(found->schema, found->name);
    if (r == nullptr) return;
    for (ListCell* lc = list_head(s->cmds); lc; lc = lnext(s->cmds, lc)) {
      auto* c = static_cast<Node*>(lfirst(lc));
      if (!IsA(c, AlterTableCmd)) continue;
      auto* cmd = castNode(AlterTableCmd, c);
      const std::string name = or_empty(cmd->name);
      if (cmd->subtype == AT_AddColumn && cmd->def != nullptr && IsA(cmd->def, ColumnDef)) {
        add_column(*r, castNode(ColumnDef, cmd->def));
      } else if (cmd->subtype == AT_AddConstraint && cmd->def != nullptr &&
                 IsA(cmd->def, Constraint) &&
                 castNode(Constraint, cmd->def)->contype == CONSTR_PRIMARY) {
        set_not_null(*r, castNode(Constraint, cmd->def)->keys);
      } else if (cmd->subtype == AT_SetNotNull || cmd->subtype == AT_DropNotNull) {
        if (const int i = r->column_index(name); i >= 0)
          r->columns[static_cast<std::size_t>(i)].not_null = cmd->subtype == AT_SetNotNull;
      } else if (cmd->subtype == AT_DropColumn) {
        if (const int i = r->column_index(name); i >= 0) r->columns.erase(r->columns.begin() + i);
      }
    }
  }

  Catalog& cat_;
  std::vector<std::string> path_{"public"};
};

}  // namespace
}  // namespace pg

Result<Catalog> catalog_from_schema_sql(std::string_view ddl) {
  if (!valid_utf8(ddl)) return fail(sqlstate::kInvalidParameterValue, "schema file is not UTF-8");
  const std::string text = pg::without_meta_commands(ddl);
  constexpr int kMaxDepth = 1000;
  if (estimate_nesting(text, kMaxDepth) > kMaxDepth)
    return fail(sqlstate::kInvalidParameterValue, "schema file nesting exceeds the limit");
  Catalog cat;
  cat.add_schema("public");
  pg::ParseContext ctx;
  pg::RawResult raw(text.c_str());
  if (const PgQueryError* e = raw.get().error; e != nullptr)
    return fail(sqlstate::kInvalidParameterValue,
                std::string("schema file does not parse: ") + (e->message ? e->message : "?") +
                    " at byte " + std::to_string(e->cursorpos));
  pg::SchemaReader reader(cat);
  List* stmts = raw.get().tree;
  for (ListCell* lc = list_head(stmts); lc; lc = lnext(stmts, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (n != nullptr && IsA(n, RawStmt)) reader.statement(castNode(RawStmt, n)->stmt, nullptr);
  }
  return cat;
}

}  // namespace airlock::sql
