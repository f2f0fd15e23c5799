// DDL: CREATE/ALTER/DROP of tables, indexes, views, functions, triggers, rules, policies...
// Every DDL statement is kind Ddl with a command name; relations it creates, alters or drops
// get mode Ddl; expressions it stores (DEFAULT, CHECK, index and partition expressions,
// policy quals, rule actions, SQL-standard function bodies) are walked with site
// DdlExpression. Statements not listed here, or listed as expression-free, are decided by
// ddl_names.cpp; unknown ones are Unsupported.
#include "sql/pg/ddl_names.hpp"
#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {
namespace {

struct SiteScope {
  Translator& t;
  FunctionSite saved;
  explicit SiteScope(Translator& tr) : t(tr), saved(tr.site_) {
    tr.site_ = FunctionSite::DdlExpression;
  }
  ~SiteScope() { t.site_ = saved; }
  SiteScope(const SiteScope&) = delete;
  SiteScope& operator=(const SiteScope&) = delete;
};

}  // namespace

void Translator::constraint_or_column(Node* n) {
  auto g = enter();
  if (!g.ok || n == nullptr) return;
  switch (nodeTag(n)) {
    case T_ColumnDef: {
      auto* c = castNode(ColumnDef, n);
      type_name(c->typeName);
      expr(c->raw_default);
      for (ListCell* lc = list_head(c->constraints); lc; lc = lnext(c->constraints, lc))
        constraint_or_column(static_cast<Node*>(lfirst(lc)));
      break;
    }
    case T_Constraint: {
      auto* c = castNode(Constraint, n);
      expr(c->raw_expr);
      expr(c->where_clause);
      if (c->pktable != nullptr) relation(c->pktable, AccessMode::Read);  // REFERENCES
      for (ListCell* lc = list_head(c->exclusions); lc; lc = lnext(c->exclusions, lc)) {
        auto* pair = static_cast<List*>(lfirst(lc));
        if (pair != nullptr && IsA(pair, List) && list_length(pair) >= 1 &&
            IsA(static_cast<Node*>(linitial(pair)), IndexElem))
          expr(castNode(IndexElem, static_cast<Node*>(linitial(pair)))->expr);
      }
      break;
    }
    case T_RangeVar:  // ALTER TABLE ... [NO] INHERIT parent
      relation(castNode(RangeVar, n), AccessMode::Ddl);
      break;
    case T_TableLikeClause:
      relation(castNode(TableLikeClause, n)->relation, AccessMode::Read);
      break;
    case T_IndexElem:
      expr(castNode(IndexElem, n)->expr);
      break;
    case T_PartitionElem:
      expr(castNode(PartitionElem, n)->expr);
      break;
    case T_StatsElem:
      expr(castNode(StatsElem, n)->expr);
      break;
    case T_PartitionBoundSpec: {
      auto* b = castNode(PartitionBoundSpec, n);
      expr_list(b->listdatums);
      expr_list(b->lowerdatums);
      expr_list(b->upperdatums);
      break;
    }
    case T_PartitionCmd: {
      auto* pc = castNode(PartitionCmd, n);
      relation(pc->name, AccessMode::Ddl);
      constraint_or_column(reinterpret_cast<Node*>(pc->bound));
      break;
    }
    case T_RoleSpec:
    case T_String:
    case T_List:  // option lists and qualified names
    case T_DefElem:
    case T_ReplicaIdentityStmt:
      break;
    default:
      expr(n);
      break;  // ALTER COLUMN SET DEFAULT <expr>, ALTER DOMAIN SET DEFAULT
  }
}

void Translator::create_table(CreateStmt* s) {
  relation(s->relation, AccessMode::Ddl);
  for (ListCell* lc = list_head(s->tableElts); lc; lc = lnext(s->tableElts, lc))
    constraint_or_column(static_cast<Node*>(lfirst(lc)));
  for (ListCell* lc = list_head(s->constraints); lc; lc = lnext(s->constraints, lc))
    constraint_or_column(static_cast<Node*>(lfirst(lc)));
  // INHERITS (parent) / PARTITION OF parent: the new table's rows become the parent's rows,
  // and the parent's definition changes; that is DDL on the parent, not a read.
  for (ListCell* lc = list_head(s->inhRelations); lc; lc = lnext(s->inhRelations, lc))
    if (IsA(static_cast<Node*>(lfirst(lc)), RangeVar))
      relation(lfirst_node(RangeVar, lc), AccessMode::Ddl);
  constraint_or_column(reinterpret_cast<Node*>(s->partbound));
  if (s->partspec != nullptr)
    for (ListCell* lc = list_head(s->partspec->partParams); lc;
         lc = lnext(s->partspec->partParams, lc))
      constraint_or_column(static_cast<Node*>(lfirst(lc)));
}

void Translator::routine_body(Node* n) {
  auto g = enter();
  if (!g.ok || n == nullptr) return;
  if (IsA(n, List)) {
    for (ListCell* lc = list_head(castNode(List, n)); lc; lc = lnext(castNode(List, n), lc))
      routine_body(static_cast<Node*>(lfirst(lc)));
  } else if (IsA(n, ReturnStmt)) {
    expr(castNode(ReturnStmt, n)->returnval);
  } else {
    (void)inner_statement(n);
  }
}

void Translator::ddl(Node* n) {
  SiteScope site(*this);
  f_.command = ddl_command_name(n);
  switch (nodeTag(n)) {
    case T_CreateStmt:
      create_table(castNode(CreateStmt, n));
      break;
    case T_CreateForeignTableStmt:
      create_table(&castNode(CreateForeignTableStmt, n)->base);
      break;
    case T_AlterTableStmt: {
      auto* s = castNode(AlterTableStmt, n);
      relation(s->relation, AccessMode::Ddl);
      for (ListCell* lc = list_head(s->cmds); lc; lc = lnext(s->cmds, lc)) {
        auto* c = static_cast<Node*>(lfirst(lc));
        if (!IsA(c, AlterTableCmd)) {
          unsupported_node("ALTER TABLE command", c);
          continue;
        }
        constraint_or_column(castNode(AlterTableCmd, c)->def);
      }
      break;
    }
    case T_IndexStmt: {
      auto* s = castNode(IndexStmt, n);
      relation(s->relation, AccessMode::Ddl);
      for (ListCell* lc = list_head(s->indexParams); lc; lc = lnext(s->indexParams, lc))
        constraint_or_column(static_cast<Node*>(lfirst(lc)));
      expr(s->whereClause);
      break;
    }
    case T_CreateStatsStmt: {
      auto* s = castNode(CreateStatsStmt, n);
      for (ListCell* lc = list_head(s->relations); lc; lc = lnext(s->relations, lc))
        if (IsA(static_cast<Node*>(lfirst(lc)), RangeVar))
          relation(lfirst_node(RangeVar, lc), AccessMode::Ddl);
      for (ListCell* lc = list_head(s->exprs); lc; lc = lnext(s->exprs, lc))
        constraint_or_column(static_cast<Node*>(lfirst(lc)));
      break;
    }
    case T_ViewStmt: {
      auto* s = castNode(ViewStmt, n);
      relation(s->view, AccessMode::Ddl);
      (void)inner_statement(s->query);
      break;
    }
    case T_CreateTableAsStmt: {
      auto* s = castNode(CreateTableAsStmt, n);
      if (s->into != nullptr) relation(s->into->rel, AccessMode::Ddl);
      if (s->is_select_into) f_.select_into = true;
      f_.inner_kind = inner_statement(s->query);
      break;
    }
    case T_DropStmt:
      drop(castNode(DropStmt, n));
      break;
    case T_RenameStmt:
      relation(castNode(RenameStmt, n)->relation, AccessMode::Ddl);
      break;
    case T_CreateSeqStmt:
      relation(castNode(CreateSeqStmt, n)->sequence, AccessMode::Ddl);
      break;
    case T_AlterSeqStmt:
      relation(castNode(AlterSeqStmt, n)->sequence, AccessMode::Ddl);
      break;
    case T_ReindexStmt:
      relation(castNode(ReindexStmt, n)->relation, AccessMode::Ddl);
      break;
    case T_ClusterStmt:
      relation(castNode(ClusterStmt, n)->relation, AccessMode::Ddl);
      break;
    case T_AlterObjectSchemaStmt:
      relation(castNode(AlterObjectSchemaStmt, n)->relation, AccessMode::Ddl);
      break;
    case T_AlterObjectDependsStmt:
      relation(castNode(AlterObjectDependsStmt, n)->relation, AccessMode::Ddl);
      break;
    case T_CreateSchemaStmt: {
      auto* s = castNode(CreateSchemaStmt, n);
      f_.object_name = or_empty(s->schemaname);
      for (ListCell* lc = list_head(s->schemaElts); lc; lc = lnext(s->schemaElts, lc))
        (void)inner_statement(static_cast<Node*>(lfirst(lc)));
      break;
    }
    case T_CreateFunctionStmt: {
      auto* s = castNode(CreateFunctionStmt, n);
      f_.object_name = join_names(s->funcname, '.');
      for (ListCell* lc = list_head(s->parameters); lc; lc = lnext(s->parameters, lc)) {
        auto* p = static_cast<Node*>(lfirst(lc));
        if (IsA(p, FunctionParameter))
          expr(castNode(FunctionParameter, p)->defexpr);
        else
          unsupported_node("function parameter", p);
      }
      routine_body(s->sql_body);
      break;
    }
    case T_CreateTrigStmt: {
      auto* s = castNode(CreateTrigStmt, n);
      relation(s->relation, AccessMode::Ddl);
      function(s->funcname, s->args, FunctionSite::DdlExpression, -1);
      expr(s->whenClause);
      break;
    }
    case T_CreateEventTrigStmt: {
      auto* s = castNode(CreateEventTrigStmt, n);
      function(s->funcname, nullptr, FunctionSite::DdlExpression, -1);
      break;
    }
    case T_RuleStmt: {
      auto* s = castNode(RuleStmt, n);
      relation(s->relation, AccessMode::Ddl);
      expr(s->whereClause);
      for (ListCell* lc = list_head(s->actions); lc; lc = lnext(s->actions, lc))
        (void)inner_statement(static_cast<Node*>(lfirst(lc)));
      break;
    }
    case T_CreatePolicyStmt: {
      auto* s = castNode(CreatePolicyStmt, n);
      relation(s->table, AccessMode::Ddl);
      expr(s->qual);
      expr(s->with_check);
      break;
    }
    case T_AlterPolicyStmt: {
      auto* s = castNode(AlterPolicyStmt, n);
      relation(s->table, AccessMode::Ddl);
      expr(s->qual);
      expr(s->with_check);
      break;
    }
    case T_CreateDomainStmt: {
      auto* s = castNode(CreateDomainStmt, n);
      for (ListCell* lc = list_head(s->constraints); lc; lc = lnext(s->constraints, lc))
        constraint_or_column(static_cast<Node*>(lfirst(lc)));
      break;
    }
    case T_AlterDomainStmt:
      constraint_or_column(castNode(AlterDomainStmt, n)->def);
      break;
    case T_CreatePublicationStmt:
      publication_objects(castNode(CreatePublicationStmt, n)->pubobjects);
      break;
    case T_AlterPublicationStmt:
      publication_objects(castNode(AlterPublicationStmt, n)->pubobjects);
      break;
    default:
      if (!ddl_is_expression_free(n)) {
        f_.kind = f_.inner_kind = StatementKind::Unsupported;
        unsupported_node("statement", n);
      }
      break;
  }
}

void Translator::publication_objects(List* objs) {
  for (ListCell* lc = list_head(objs); lc; lc = lnext(objs, lc)) {
    auto* o = static_cast<Node*>(lfirst(lc));
    if (!IsA(o, PublicationObjSpec)) {
      unsupported_node("publication object", o);
      continue;
    }
    PublicationTable* pt = castNode(PublicationObjSpec, o)->pubtable;
    if (pt == nullptr) continue;
    relation(pt->relation, AccessMode::Ddl);
    expr(pt->whereClause);
  }
}

}  // namespace airlock::sql::pg
