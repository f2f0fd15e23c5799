#pragma once
// Command names for DDL statements and the list of DDL statements whose grammar admits no
// expression (so classifying them as Ddl without a deeper walk hides nothing).
#include <string>

#include "sql/pg/pg_nodes.hpp"

namespace airlock::sql::pg {

std::string ddl_command_name(const Node* n);
bool ddl_is_expression_free(const Node* n);
std::string object_type_name(ObjectType t);

}  // namespace airlock::sql::pg
