// Column name lookup through the scopes, and the bookkeeping of reads, writes and lineage.
#include <algorithm>

#include "sql/pg/columns.hpp"
#include "sql/pg/translator.hpp"

namespace airlock::sql::pg {
namespace {

void insert_sorted(std::vector<std::string>& v, std::string_view s) {
  auto it = std::lower_bound(v.begin(), v.end(), s);
  if (it == v.end() || *it != s) v.emplace(it, s);
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

ColumnRef ref_of(const ColumnAccess& a, std::string_view col) {
  return ColumnRef{a.schema, a.relation, std::string(col)};
}

std::string_view field_name(const Node* n) {
  return IsA(n, String) ? std::string_view(or_empty(castNode(String, const_cast<Node*>(n))->sval))
                        : std::string_view();
}

}  // namespace

void Lineage::add(ColumnRef c) {
  if (std::find(sources.begin(), sources.end(), c) == sources.end()) sources.push_back(std::move(c));
}

void Lineage::merge(const Lineage& o) {
  for (const ColumnRef& c : o.sources) add(c);
  opaque = opaque || o.opaque;
}

int ColumnWalker::access_for(const std::string& schema, const std::string& name, bool resolved) {
  for (std::size_t i = 0; i < f_.column_access.size(); ++i) {
    const ColumnAccess& a = f_.column_access[i];
    if (a.relation == name && a.schema == schema) return static_cast<int>(i);
  }
  ColumnAccess a;
  a.schema = schema;
  a.relation = name;
  a.resolved = resolved;
  f_.column_access.push_back(std::move(a));
  return static_cast<int>(f_.column_access.size() - 1);
}

HasColumn ColumnWalker::has_column(const RangeEntry& e, std::string_view col) {
  switch (e.type) {
    case RangeEntry::Type::Table:
    case RangeEntry::Type::Excluded: {
      if (contains(e.colnames, col)) return HasColumn::Yes;
      if (e.rel == nullptr) return HasColumn::Maybe;
      const int i = e.rel->column_index(col);
      return i >= static_cast<int>(e.colnames.size()) ? HasColumn::Yes : HasColumn::No;
    }
    case RangeEntry::Type::Derived: {
      bool star = false;
      for (const Output& o : e.outputs) {
        if (o.name == col) return HasColumn::Yes;
        star = star || o.star;
      }
      return star ? HasColumn::Maybe : HasColumn::No;
    }
    case RangeEntry::Type::Function:
      if (!e.colnames.empty()) return contains(e.colnames, col) ? HasColumn::Yes : HasColumn::No;
      return e.alias == col ? HasColumn::Yes : HasColumn::Maybe;
  }
  return HasColumn::Maybe;
}

std::vector<Hit> ColumnWalker::lookup_unqualified(std::string_view col, const Scope& sc) const {
  std::vector<Hit> hits;
  bool definite = false;
  for (const Scope* s = &sc; s != nullptr && !definite; s = s->parent)
    for (const RangeEntry& e : s->entries) {
      const HasColumn h = has_column(e, col);
      if (h == HasColumn::No) continue;
      definite = definite || h == HasColumn::Yes;
      hits.push_back({&e, col});
    }
  if (!definite) {
    // PostgreSQL prefers a column; a FROM item of that name is a whole-row reference.
    for (const Scope* s = &sc; s != nullptr; s = s->parent) {
      bool found = false;
      for (const RangeEntry& e : s->entries)
        if (e.alias == col && e.type != RangeEntry::Type::Excluded) {
          hits.push_back({&e, col, true});
          found = true;
        }
      if (found) break;
    }
  }
  if (hits.empty()) {
    // Unknown to the catalog (stale catalog, system column): every relation of the innermost
    // level that has FROM items may hold it.
    for (const Scope* s = &sc; s != nullptr; s = s->parent) {
      if (s->entries.empty()) continue;
      for (const RangeEntry& e : s->entries)
        if (e.type != RangeEntry::Type::Excluded) hits.push_back({&e, col});
      break;
    }
  }
  return hits;
}

std::vector<Hit> ColumnWalker::lookup(::ColumnRef* cr, const Scope& sc) const {
  std::string_view names[4];
  std::size_t count = 0;
  bool star = false;
  for (ListCell* lc = list_head(cr->fields); lc; lc = lnext(cr->fields, lc)) {
    auto* n = static_cast<Node*>(lfirst(lc));
    if (IsA(n, A_Star)) star = true;
    else if (count < 4) names[count++] = field_name(n);
  }
  if (count == 0) {  // bare `*` outside a select list, e.g. row_to_json(*) is invalid SQL
    std::vector<Hit> hits;
    for (const RangeEntry& e : sc.entries) hits.push_back({&e, "*", true});
    return hits;
  }
  if (count == 1 && !star) return lookup_unqualified(names[0], sc);
  // [catalog.]schema.table.col or table.col: find the FROM item the qualifier names.
  const std::size_t qual = star ? count - 1 : count - 2;
  const std::string_view table = names[qual];
  const std::string_view* schema = qual >= 1 ? &names[qual - 1] : nullptr;
  const std::string_view column = star ? std::string_view("*") : names[qual + 1];
  std::vector<Hit> hits;
  for (const Scope* s = &sc; s != nullptr && hits.empty(); s = s->parent)
    for (const RangeEntry& e : s->entries) {
      const bool match =
          schema == nullptr ? e.alias == table
                            : e.type == RangeEntry::Type::Table && e.relname == table &&
                                  (e.schema == *schema ||
                                   f_.column_access[static_cast<std::size_t>(e.access)].schema ==
                                       *schema);
      if (match) hits.push_back({&e, column, star});
    }
  if (!hits.empty()) return hits;
  // Not a FROM item: a composite column `a.b` (or a join alias); report both readings.
  hits = lookup_unqualified(names[0], sc);
  if (!star && count >= 2) {
    auto more = lookup_unqualified(names[count - 1], sc);
    hits.insert(hits.end(), more.begin(), more.end());
  }
  return hits;
}

void ColumnWalker::read_all(const RangeEntry& e, Lineage* out) {
  switch (e.type) {
    case RangeEntry::Type::Table: {
      ColumnAccess& a = f_.column_access[static_cast<std::size_t>(e.access)];
      a.reads_all = true;
      if (e.rel != nullptr) {
        for (const CatalogColumn& c : e.rel->columns) {
          insert_sorted(a.read, c.name);
          if (out) out->add(ref_of(a, c.name));
        }
      } else if (out) {
        out->add(ref_of(a, "*"));
      }
      break;
    }
    case RangeEntry::Type::Derived:
      if (out)
        for (const Output& o : e.outputs) out->merge(o.lineage);
      break;
    case RangeEntry::Type::Function:
      if (out) out->merge(e.lineage);
      break;
    case RangeEntry::Type::Excluded:
      break;
  }
}

void ColumnWalker::read_column(const RangeEntry& e, std::string_view col, Lineage* out) {
  switch (e.type) {
    case RangeEntry::Type::Table: {
      const auto pos = std::find(e.colnames.begin(), e.colnames.end(), col) - e.colnames.begin();
      std::string_view real = col;
      if (pos < static_cast<long>(e.colnames.size())) {
        if (e.rel == nullptr || pos >= static_cast<long>(e.rel->columns.size()))
          return read_all(e, out);  // renamed, underlying name unknown
        real = e.rel->columns[static_cast<std::size_t>(pos)].name;
      }
      ColumnAccess& a = f_.column_access[static_cast<std::size_t>(e.access)];
      insert_sorted(a.read, real);
      if (out) out->add(ref_of(a, real));
      break;
    }
    case RangeEntry::Type::Derived: {
      if (out == nullptr) return;
      bool named = false;
      for (const Output& o : e.outputs)
        if (o.name == col) {
          out->merge(o.lineage);
          named = true;
        }
      if (named) return;
      for (const Output& o : e.outputs) {
        if (!o.star) continue;
        out->opaque = out->opaque || o.lineage.opaque;
        for (const ColumnRef& c : o.lineage.sources)
          out->add(c.column == "*" ? ColumnRef{c.schema, c.relation, std::string(col)} : c);
      }
      break;
    }
    case RangeEntry::Type::Function:
      if (out) out->merge(e.lineage);
      break;
    case RangeEntry::Type::Excluded:
      break;  // the row proposed for insertion, not stored data
  }
}

void ColumnWalker::record(const Hit& h, bool certain, Lineage* out) {
  if (certain && h.entry->target) ++target_refs_;
  if (h.whole_row) read_all(*h.entry, out);
  else read_column(*h.entry, h.column, out);
}

void ColumnWalker::write_column(int access, std::string_view col) {
  insert_sorted(f_.column_access[static_cast<std::size_t>(access)].written, col);
}

void ColumnWalker::write_all(const RangeEntry& e) {
  ColumnAccess& a = f_.column_access[static_cast<std::size_t>(e.access)];
  a.writes_all = true;
  if (e.rel != nullptr)
    for (const CatalogColumn& c : e.rel->columns) insert_sorted(a.written, c.name);
}

void ColumnWalker::expand_star(const Scope& sc, const RangeEntry* only,
                               std::vector<Output>& outs) {
  if (only == nullptr && sc.merged_join) {  // USING/NATURAL change positions: one star output
    Output o{"*", {}, true};
    for (const RangeEntry& e : sc.entries) read_all(e, &o.lineage);
    outs.push_back(std::move(o));
    return;
  }
  for (const RangeEntry& e : sc.entries) {
    if (only != nullptr && &e != only) continue;
    if (e.type == RangeEntry::Type::Derived) {
      outs.insert(outs.end(), e.outputs.begin(), e.outputs.end());
    } else if (e.type == RangeEntry::Type::Table && e.rel != nullptr) {
      read_all(e, nullptr);
      const ColumnAccess& a = f_.column_access[static_cast<std::size_t>(e.access)];
      for (std::size_t i = 0; i < e.rel->columns.size(); ++i) {
        Output o{i < e.colnames.size() ? e.colnames[i] : e.rel->columns[i].name, {}};
        o.lineage.add(ref_of(a, e.rel->columns[i].name));
        o.direct = true;
        outs.push_back(std::move(o));
      }
    } else if (e.type == RangeEntry::Type::Function && !e.colnames.empty()) {
      for (const std::string& c : e.colnames) outs.push_back(Output{c, e.lineage});
    } else if (e.type != RangeEntry::Type::Excluded) {
      Output o{"*", {}, true};
      read_all(e, &o.lineage);
      outs.push_back(std::move(o));
    }
  }
}

const CteDef* ColumnWalker::find_cte(std::string_view name) const {
  for (auto it = ctes_.rbegin(); it != ctes_.rend(); ++it)
    if (it->name == name) return &*it;
  return nullptr;
}

}  // namespace airlock::sql::pg
