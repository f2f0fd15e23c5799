#pragma once
// ColumnWalker: the second walk over one raw statement tree, after the Translator. It keeps
// PostgreSQL's name scopes (FROM items per query level, outer levels for correlated
// sub-selects, WITH queries) to attribute every column reference to the relation it reads,
// expands `*` with the catalog, traces each result column to the columns it derives from,
// and judges the WHERE shape of UPDATE/DELETE/MERGE. The Translator has already refused
// unknown node types and over-deep trees, so this walk may ignore what it does not know.
//
// Files: columns_scope.cpp (lookups, reads, `*`), columns_query.cpp (SELECT, FROM, WITH),
// columns_expr.cpp (expressions), columns_modify.cpp (INSERT/UPDATE/DELETE/MERGE/COPY and the
// statement switch), where_shape.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/catalog.hpp"
#include "sql/facts.hpp"
#include "sql/pg/pg_nodes.hpp"

namespace airlock::sql::pg {

struct Lineage {
  std::vector<ColumnRef> sources;
  bool opaque = false;
  void add(ColumnRef c);
  void merge(const Lineage& o);
};

struct Output {
  std::string name;
  Lineage lineage;
  bool star = false;    // unexpanded `*`
  bool direct = false;  // a stored column's value as it is (OutputColumn::direct)
};

struct RangeEntry {
  enum class Type : std::uint8_t { Table, Derived, Function, Excluded };
  Type type = Type::Table;
  std::string alias;                     // the name that qualifies its columns
  std::string schema;                    // Table: schema as written
  std::string relname;                   // Table: name as written
  int access = -1;                       // Table/Excluded: index into facts.column_access
  const CatalogRelation* rel = nullptr;  // Table/Excluded: catalog entry with known columns
  std::vector<std::string> colnames;     // FROM x AS a(c1, c2): renamed leading columns
  std::vector<Output> outputs;           // Derived: the sub-select's or WITH query's result
  Lineage lineage;                       // Function: what any of its columns derives from
  bool target = false;                   // the UPDATE/DELETE/MERGE target
};

struct Scope {
  const Scope* parent = nullptr;
  std::vector<RangeEntry> entries;
  bool merged_join = false;  // JOIN USING / NATURAL: `*` merges columns
};

enum class HasColumn : std::uint8_t { No, Maybe, Yes };

// Views point into parse nodes or scope entries; a Hit lives only during one lookup.
struct Hit {
  const RangeEntry* entry;
  std::string_view column;
  bool whole_row = false;
  bool field = false;  // a whole-row reference narrowed to one column by (ref).column
};

struct CteDef {
  std::string name;
  std::vector<Output> outputs;
};

class ColumnWalker {
 public:
  ColumnWalker(StatementFacts& facts, const Catalog& catalog,
               const std::vector<std::string>& search_path)
      : f_(facts), catalog_(catalog), path_(search_path) {}

  void statement(Node* n);                            // columns_modify.cpp
  std::vector<Output> statement_outputs(Node* n, const Scope* parent);

  // columns_query.cpp
  std::vector<Output> select(SelectStmt* s, const Scope* parent);
  void with_clause(WithClause* w, const Scope* parent);
  void from_item(Node* n, Scope& sc);
  void target_list(List* targets, const Scope& sc, std::vector<Output>& outs);
  bool plain_reference(Node* val, const Scope& sc) const;
  RangeEntry table_entry(RangeVar* rv);

  // columns_expr.cpp
  void expr(Node* n, const Scope& sc, Lineage* out);
  // Field selection `(ref).name` (first indirection a field name) on a column reference: the
  // reference's hits, whole-row ones narrowed to that one column (which `field` holds; the
  // hits view it). nullopt for any other indirection.
  std::optional<std::vector<Hit>> field_hits(A_Indirection* ai, const Scope& sc,
                                             std::string& field) const;
  void expr_list(List* l, const Scope& sc, Lineage* out);

  // columns_scope.cpp
  std::vector<Hit> lookup(::ColumnRef* cr, const Scope& sc) const;
  std::vector<Hit> lookup_unqualified(std::string_view col, const Scope& sc) const;
  void record(const Hit& h, bool certain, Lineage* out);
  void expand_star(const Scope& sc, const RangeEntry* only, std::vector<Output>& outs);
  void read_all(const RangeEntry& e, Lineage* out);
  void read_column(const RangeEntry& e, std::string_view col, Lineage* out);
  void write_column(int access, std::string_view col);
  void write_all(const RangeEntry& e);
  int access_for(const std::string& schema, const std::string& name, bool resolved);
  static HasColumn has_column(const RangeEntry& e, std::string_view col);
  const CteDef* find_cte(std::string_view name) const;

  // where_shape.cpp
  WhereShape where_shape(Node* where, const Scope& sc);
  void set_where_shape(int location, WhereShape shape, bool update, bool del);

  // columns_modify.cpp
  std::vector<Output> insert(InsertStmt* s, const Scope* parent);
  std::vector<Output> update(UpdateStmt* s, const Scope* parent);
  std::vector<Output> delete_(DeleteStmt* s, const Scope* parent);
  Scope write_scope(RangeVar* target, List* from, const Scope* parent);
  void write_targets(List* targets, int access, const Scope& sc);
  std::vector<Output> returning(List* list, const Scope& sc, std::size_t cte_mark);
  std::vector<Output> merge(MergeStmt* s, const Scope* parent);
  std::vector<Output> copy(CopyStmt* s);
  void store(const std::vector<Output>& outs);  // values written into a table

  bool function_is_transparent(List* funcname, int nargs) const;

  int target_refs_ = 0;  // certain references to a `target` entry (where_shape.cpp)

 private:
  friend class WhereJudge;
  StatementFacts& f_;
  const Catalog& catalog_;
  const std::vector<std::string>& path_;
  std::vector<CteDef> ctes_;  // WITH queries in scope, innermost last
  Lineage stored_;            // what the statement's writes store (StatementFacts::stored_*)
  int depth_ = 0;
  static constexpr int kMaxDepth = 8000;
  struct Depth {
    int& d;
    explicit Depth(int& depth) : d(depth) { ++d; }
    ~Depth() { --d; }
  };
};

std::string figure_colname(const Node* n);  // PostgreSQL's default result column name
void to_output_columns(const std::vector<Output>& outs, std::vector<OutputColumn>& dst);

}  // namespace airlock::sql::pg
