// Names of DDL commands, DROP handling, and the expression-free DDL list.
#include "sql/pg/ddl_names.hpp"

#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {

std::string object_type_name(ObjectType t) {
  switch (t) {
    case OBJECT_TABLE:
      return "TABLE";
    case OBJECT_VIEW:
      return "VIEW";
    case OBJECT_MATVIEW:
      return "MATERIALIZED VIEW";
    case OBJECT_INDEX:
      return "INDEX";
    case OBJECT_SEQUENCE:
      return "SEQUENCE";
    case OBJECT_FOREIGN_TABLE:
      return "FOREIGN TABLE";
    case OBJECT_SCHEMA:
      return "SCHEMA";
    case OBJECT_FUNCTION:
      return "FUNCTION";
    case OBJECT_PROCEDURE:
      return "PROCEDURE";
    case OBJECT_ROUTINE:
      return "ROUTINE";
    case OBJECT_AGGREGATE:
      return "AGGREGATE";
    case OBJECT_TYPE:
      return "TYPE";
    case OBJECT_DOMAIN:
      return "DOMAIN";
    case OBJECT_EXTENSION:
      return "EXTENSION";
    case OBJECT_TRIGGER:
      return "TRIGGER";
    case OBJECT_RULE:
      return "RULE";
    case OBJECT_POLICY:
      return "POLICY";
    case OBJECT_ROLE:
      return "ROLE";
    case OBJECT_DATABASE:
      return "DATABASE";
    case OBJECT_OPERATOR:
      return "OPERATOR";
    case OBJECT_COLUMN:
      return "COLUMN";
    default:
      return "OBJECT";
  }
}

namespace {

bool is_relation_type(ObjectType t) {
  return t == OBJECT_TABLE || t == OBJECT_VIEW || t == OBJECT_MATVIEW || t == OBJECT_INDEX ||
         t == OBJECT_SEQUENCE || t == OBJECT_FOREIGN_TABLE;
}

}  // namespace

void Translator::drop(DropStmt* s) {
  for (ListCell* lc = list_head(s->objects); lc; lc = lnext(s->objects, lc)) {
    auto* o = static_cast<Node*>(lfirst(lc));
    if (is_relation_type(s->removeType) && IsA(o, List)) {
      auto* names = castNode(List, o);
      const int parts = list_length(names);
      if (parts < 1 || parts > 3) {
        unsupported("DROP with unexpected name");
        continue;
      }
      RangeVar rv{};
      rv.type = T_RangeVar;
      std::string rel = str_value(static_cast<Node*>(llast(names)));
      std::string sch = parts >= 2 ? str_value(static_cast<Node*>(list_nth(names, parts - 2))) : "";
      std::string cat = parts == 3 ? str_value(static_cast<Node*>(linitial(names))) : "";
      rv.relname = rel.data();
      rv.schemaname = parts >= 2 ? sch.data() : nullptr;
      rv.catalogname = parts == 3 ? cat.data() : nullptr;
      rv.location = -1;
      relation(&rv, AccessMode::Ddl);
    } else if (s->removeType == OBJECT_SCHEMA || s->removeType == OBJECT_DATABASE ||
               s->removeType == OBJECT_EXTENSION || s->removeType == OBJECT_ROLE) {
      if (!f_.object_name.empty()) f_.object_name += ", ";
      f_.object_name += str_value(o);
    }
  }
}

std::string ddl_command_name(const Node* n) {
  switch (nodeTag(n)) {
    case T_CreateStmt:
      return "CREATE TABLE";
    case T_CreateForeignTableStmt:
      return "CREATE FOREIGN TABLE";
    case T_AlterTableStmt:
      return "ALTER " + object_type_name(reinterpret_cast<const AlterTableStmt*>(n)->objtype);
    case T_IndexStmt:
      return "CREATE INDEX";
    case T_ViewStmt:
      return "CREATE VIEW";
    case T_CreateTableAsStmt:
      return reinterpret_cast<const CreateTableAsStmt*>(n)->objtype == OBJECT_MATVIEW
                 ? "CREATE MATERIALIZED VIEW"
                 : "CREATE TABLE AS";
    case T_DropStmt:
      return "DROP " + object_type_name(reinterpret_cast<const DropStmt*>(n)->removeType);
    case T_RenameStmt:
      return "ALTER " + object_type_name(reinterpret_cast<const RenameStmt*>(n)->renameType) +
             " RENAME";
    case T_CreateSchemaStmt:
      return "CREATE SCHEMA";
    case T_CreateFunctionStmt:
      return reinterpret_cast<const CreateFunctionStmt*>(n)->is_procedure ? "CREATE PROCEDURE"
                                                                          : "CREATE FUNCTION";
    case T_AlterFunctionStmt:
      return "ALTER FUNCTION";
    case T_CreateTrigStmt:
      return "CREATE TRIGGER";
    case T_CreateEventTrigStmt:
      return "CREATE EVENT TRIGGER";
    case T_RuleStmt:
      return "CREATE RULE";
    case T_CreatePolicyStmt:
      return "CREATE POLICY";
    case T_AlterPolicyStmt:
      return "ALTER POLICY";
    case T_CreateSeqStmt:
      return "CREATE SEQUENCE";
    case T_AlterSeqStmt:
      return "ALTER SEQUENCE";
    case T_CreateExtensionStmt:
      return "CREATE EXTENSION";
    case T_AlterExtensionStmt:
    case T_AlterExtensionContentsStmt:
      return "ALTER EXTENSION";
    case T_CreateRoleStmt:
      return "CREATE ROLE";
    case T_AlterRoleStmt:
    case T_AlterRoleSetStmt:
      return "ALTER ROLE";
    case T_DropRoleStmt:
      return "DROP ROLE";
    case T_CreatedbStmt:
      return "CREATE DATABASE";
    case T_DropdbStmt:
      return "DROP DATABASE";
    case T_AlterSystemStmt:
      return "ALTER SYSTEM";
    case T_CommentStmt:
      return "COMMENT";
    case T_DefineStmt:
      return "CREATE " + object_type_name(reinterpret_cast<const DefineStmt*>(n)->kind);
    case T_CreateDomainStmt:
      return "CREATE DOMAIN";
    case T_CreateStatsStmt:
      return "CREATE STATISTICS";
    case T_CreatePublicationStmt:
      return "CREATE PUBLICATION";
    case T_AlterPublicationStmt:
      return "ALTER PUBLICATION";
    default:
      return "DDL";
  }
}

bool ddl_is_expression_free(const Node* n) {
  switch (nodeTag(n)) {
    case T_AlterFunctionStmt:
    case T_DefineStmt:
    case T_CompositeTypeStmt:
    case T_CreateEnumStmt:
    case T_CreateRangeStmt:
    case T_AlterEnumStmt:
    case T_CreateExtensionStmt:
    case T_AlterExtensionStmt:
    case T_AlterExtensionContentsStmt:
    case T_CommentStmt:
    case T_SecLabelStmt:
    case T_AlterOwnerStmt:
    case T_CreateCastStmt:
    case T_CreateOpClassStmt:
    case T_CreateOpFamilyStmt:
    case T_AlterOpFamilyStmt:
    case T_CreateConversionStmt:
    case T_CreatePLangStmt:
    case T_CreateRoleStmt:
    case T_AlterRoleStmt:
    case T_AlterRoleSetStmt:
    case T_DropRoleStmt:
    case T_CreatedbStmt:
    case T_DropdbStmt:
    case T_AlterDatabaseStmt:
    case T_AlterDatabaseSetStmt:
    case T_AlterDatabaseRefreshCollStmt:
    case T_CreateTableSpaceStmt:
    case T_DropTableSpaceStmt:
    case T_AlterTableSpaceOptionsStmt:
    case T_AlterTableMoveAllStmt:
    case T_CreateFdwStmt:
    case T_AlterFdwStmt:
    case T_CreateForeignServerStmt:
    case T_AlterForeignServerStmt:
    case T_CreateUserMappingStmt:
    case T_AlterUserMappingStmt:
    case T_DropUserMappingStmt:
    case T_ImportForeignSchemaStmt:
    case T_AlterEventTrigStmt:
    case T_AlterTSDictionaryStmt:
    case T_AlterTSConfigurationStmt:
    case T_AlterSystemStmt:
    case T_CreateAmStmt:
    case T_CreateTransformStmt:
    case T_AlterOperatorStmt:
    case T_AlterTypeStmt:
    case T_AlterCollationStmt:
    case T_DropOwnedStmt:
    case T_ReassignOwnedStmt:
    case T_AlterStatsStmt:
    case T_CreateSubscriptionStmt:
    case T_AlterSubscriptionStmt:
    case T_DropSubscriptionStmt:
    case T_ConstraintsSetStmt:
      return true;
    default:
      return false;
  }
}

}  // namespace airlock::sql::pg
