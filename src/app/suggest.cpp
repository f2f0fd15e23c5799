#include "app/suggest.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "sql/analyze.hpp"

namespace airlock::app {
namespace {

using sql::AccessMode;

constexpr std::string_view kDefaultSchema = "public";  // `airlock check`'s search_path

bool plain_identifier(std::string_view part) {
  if (part.empty() || !(std::islower(static_cast<unsigned char>(part[0])) || part[0] == '_'))
    return false;
  return std::all_of(part.begin(), part.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::islower(u) || std::isdigit(u) || c == '_' || c == '$';
  });
}

std::string quote_part(std::string_view part) {
  if (plain_identifier(part)) return std::string(part);
  std::string out = "\"";
  for (char c : part) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A YAML flow scalar: plain when it is safe, else single-quoted.
std::string yaml_scalar(std::string_view s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$' ||
           c == '-';
  }) && s.front() != '-';
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string flow_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += yaml_scalar(items[i]);
  }
  return out + "]";
}

const char* action_word(AccessMode m) {
  switch (m) {
    case AccessMode::Read: return "select";
    case AccessMode::Insert: return "insert";
    case AccessMode::Update: return "update";
    case AccessMode::Delete: return "delete";
    case AccessMode::Truncate: return "truncate";
    case AccessMode::Ddl: return "ddl";
    case AccessMode::Lock: return "lock";
    case AccessMode::Copy: return "copy";
  }
  return "select";
}

bool row_write(AccessMode m) {
  return m == AccessMode::Insert || m == AccessMode::Update || m == AccessMode::Delete ||
         m == AccessMode::Copy;
}

bool builtin_schema(std::string_view schema) {
  return schema == "pg_catalog" || schema == "information_schema";
}

// The action order of the documentation (policy::kActionWords).
int action_rank(std::string_view a) {
  int i = 0;
  for (const char* w : policy::kActionWords) {
    if (a == w) return i;
    ++i;
  }
  return i;
}

struct WriteKey {
  std::string table;  // config form
  std::string action;
  auto operator<=>(const WriteKey&) const = default;
};

struct WriteUse {
  std::set<std::string> columns;  // config form
  bool all_columns = false;
  bool rows_unknown = false;  // some run without a row count
  std::int64_t max_rows = -1;
  std::size_t statements = 0;
};

}  // namespace

bool looks_sensitive(std::string_view column) {
  static constexpr std::array<std::string_view, 8> kWords = {
      "email", "phone", "ssn", "password", "token", "secret", "address", "birth"};
  std::string lower(column);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kWords.begin(), kWords.end(),
                     [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

std::string config_name(std::string_view schema, std::string_view name) {
  return quote_part(schema.empty() ? kDefaultSchema : schema) + "." + quote_part(name);
}

Suggestion build_suggestion(const std::vector<Observed>& observed, const sql::Catalog& catalog,
                            double headroom) {
  Suggestion out;
  std::map<std::string, std::set<std::string>> table_actions;  // non-row actions and select
  std::map<WriteKey, WriteUse> writes;
  std::set<std::string> sequences, functions, sensitive, unexpanded;
  const std::vector<std::string> path{std::string(kDefaultSchema)};
  for (const Observed& o : observed) {
    sql::AnalyzeLimits limits;
    limits.select_columns = true;  // the columns a SELECT reads: sensitive ones are listed
    const sql::Analysis a = sql::analyze(o.statement, limits, catalog, path);
    if (!a.ok()) {
      out.not_understood.push_back(o.statement);
      continue;
    }
    for (const auto& s : a.statements) {
      // The row writes of this statement, to attach its columns and row count to.
      std::set<WriteKey> written_here;
      for (const auto& r : s.relations) {
        if (r.cte_reference) continue;
        const std::string schema = !r.resolved_schema.empty() ? r.resolved_schema : r.schema;
        if (builtin_schema(schema)) continue;
        const std::string name = config_name(schema, r.name);
        if (r.kind == sql::RelationKind::Sequence && r.mode == AccessMode::Read) {
          sequences.insert(name);
          continue;
        }
        if (row_write(r.mode)) {
          written_here.insert({name, action_word(r.mode)});
        } else {
          table_actions[name].insert(action_word(r.mode));
        }
      }
      for (const auto& key : written_here) {
        WriteUse& w = writes[key];
        ++w.statements;
        if (o.max_rows_changed) w.max_rows = std::max(w.max_rows, *o.max_rows_changed);
        else w.rows_unknown = true;
      }
      for (const auto& ca : s.column_access) {
        if (builtin_schema(ca.schema)) continue;
        const std::string name = config_name(ca.schema, ca.relation);
        for (const auto& key : written_here) {
          if (key.table != name || key.action == "delete") continue;
          WriteUse& w = writes[key];
          w.all_columns = w.all_columns || ca.writes_all;
          for (const auto& c : ca.written) {
            if (c == "*") w.all_columns = true;
            else w.columns.insert(quote_part(c));
          }
        }
        for (const auto& c : ca.read) {
          if (c != "*" && looks_sensitive(c)) sensitive.insert(name + "." + quote_part(c));
        }
        const bool star_unknown =
            ca.reads_all && std::find(ca.read.begin(), ca.read.end(), "*") != ca.read.end();
        if (star_unknown || (ca.reads_all && ca.read.empty())) unexpanded.insert(name);
      }
      for (const auto& f : s.functions) {
        if (!f.regclass_name.empty()) {
          sequences.insert(config_name(f.regclass_schema, f.regclass_name));
        }
        const std::string schema = !f.resolved_schema.empty() ? f.resolved_schema : f.schema;
        if (builtin_schema(schema)) continue;  // the built-in rules judge them
        functions.insert(config_name(schema, f.name));
      }
    }
  }

  // Tables with the same non-row actions share one entry.
  std::map<std::vector<std::string>, std::vector<std::string>> by_actions;
  for (const auto& [table, acts] : table_actions) {
    std::vector<std::string> v(acts.begin(), acts.end());
    std::sort(v.begin(), v.end(), [](const std::string& x, const std::string& y) {
      return action_rank(x) < action_rank(y);
    });
    by_actions[v].push_back(table);
  }
  for (const auto& [acts, tables] : by_actions) {
    policy::RuleSpec e;
    e.tables = tables;
    e.actions = acts;
    out.allow.push_back(std::move(e));
    out.entry_notes.emplace_back();
  }
  // Write entries by table, then in the documentation's action order.
  std::vector<std::pair<WriteKey, WriteUse>> ordered(writes.begin(), writes.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& x, const auto& y) {
    if (x.first.table != y.first.table) return x.first.table < y.first.table;
    return action_rank(x.first.action) < action_rank(y.first.action);
  });
  for (const auto& [key, w] : ordered) {
    policy::RuleSpec e;
    e.tables = {key.table};
    e.actions = {key.action};
    if (!w.all_columns && key.action != "delete")
      e.columns.assign(w.columns.begin(), w.columns.end());
    std::string note;
    if (!w.rows_unknown && w.max_rows >= 0) {
      const double limit = std::ceil(static_cast<double>(w.max_rows) * headroom);
      e.max_rows = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(limit));
      std::ostringstream n;
      n << "most rows changed by one statement: " << w.max_rows << ", times " << headroom;
      note = n.str();
    } else {
      note = "no max_rows: the trail has no row counts for " +
             std::string(w.statements == 1 ? "this write" : "these writes");
    }
    out.allow.push_back(std::move(e));
    out.entry_notes.push_back(std::move(note));
  }
  if (!sequences.empty()) {
    policy::RuleSpec e;
    e.sequences.assign(sequences.begin(), sequences.end());
    out.allow.push_back(std::move(e));
    out.entry_notes.emplace_back();
  }
  if (!functions.empty()) {
    policy::RuleSpec e;
    e.functions.assign(functions.begin(), functions.end());
    out.allow.push_back(std::move(e));
    out.entry_notes.emplace_back();
  }
  out.sensitive.assign(sensitive.begin(), sensitive.end());
  for (const auto& t : unexpanded) {
    out.notes.push_back("SELECT * of " + t +
                        ": its columns are unknown without a catalog (--schema or --dsn); "
                        "check them for sensitive data");
  }
  return out;
}

std::string render_rules(const std::vector<policy::RuleSpec>& allow,
                         const std::vector<policy::RuleSpec>& hold,
                         const std::vector<std::string>& notes) {
  std::ostringstream out;
  const auto list = [&](const char* key, const std::vector<policy::RuleSpec>& entries,
                        bool with_notes) {
    if (entries.empty()) {
      out << key << ": []\n";
      return;
    }
    out << key << ":\n";
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      std::vector<std::pair<std::string, std::string>> lines;
      if (!e.tables.empty()) lines.emplace_back("tables", flow_list(e.tables));
      if (!e.sequences.empty()) lines.emplace_back("sequences", flow_list(e.sequences));
      if (!e.functions.empty()) lines.emplace_back("functions", flow_list(e.functions));
      if (!e.actions.empty()) lines.emplace_back("actions", flow_list(e.actions));
      if (!e.columns.empty()) lines.emplace_back("columns", flow_list(e.columns));
      if (!e.mask.empty()) {
        std::string m = "[";
        for (std::size_t k = 0; k < e.mask.size(); ++k) {
          if (k) m += ", ";
          if (e.mask[k].style == MaskStyle::Full) {
            m += yaml_scalar(e.mask[k].column);
          } else {
            m += "{column: " + yaml_scalar(e.mask[k].column) +
                 ", style: " + std::string(to_string(e.mask[k].style)) + "}";
          }
        }
        lines.emplace_back("mask", m + "]");
      }
      if (!e.deny_columns.empty()) lines.emplace_back("deny_columns", flow_list(e.deny_columns));
      if (e.max_rows) lines.emplace_back("max_rows", std::to_string(*e.max_rows));
      if (e.over_limit != "deny") lines.emplace_back("over_limit", e.over_limit);
      if (!e.reason.empty()) lines.emplace_back("reason", yaml_scalar(e.reason));
      for (std::size_t k = 0; k < lines.size(); ++k) {
        out << (k == 0 ? "  - " : "    ") << lines[k].first << ": " << lines[k].second;
        if (k == 0 && with_notes && i < notes.size() && !notes[i].empty())
          out << "  # " << notes[i];
        out << "\n";
      }
    }
  };
  list("allow", allow, true);
  if (!hold.empty()) list("hold", hold, false);
  return out.str();
}

std::string render_suggestion(const Suggestion& s, const std::vector<std::string>& header) {
  std::ostringstream out;
  for (const auto& h : header) out << "# " << h << "\n";
  out << render_rules(s.allow, {}, s.entry_notes);
  if (!s.sensitive.empty()) {
    out << "# Masks are yours to decide. Columns read whose names look sensitive (add them to\n"
           "# mask: or deny_columns: of the entry that reads their table):\n";
    for (const auto& c : s.sensitive) out << "#   " << c << "\n";
  }
  for (const auto& n : s.notes) out << "# " << n << "\n";
  if (!s.not_understood.empty()) {
    out << "# Not covered: statements the sql module could not analyze (denied under any "
           "policy):\n";
    for (const auto& t : s.not_understood) {
      std::string line;
      for (char c : t) line += (c == '\n' || c == '\r') ? ' ' : c;
      out << "#   " << line.substr(0, 160) << "\n";
    }
  }
  return out.str();
}

std::string line_diff(std::string_view from_label, std::string_view from,
                      std::string_view to_label, std::string_view to) {
  const auto split = [](std::string_view t) {
    std::vector<std::string_view> v;
    while (!t.empty()) {
      const auto nl = t.find('\n');
      v.push_back(t.substr(0, nl));
      if (nl == std::string_view::npos) break;
      t.remove_prefix(nl + 1);
    }
    return v;
  };
  const auto a = split(from);
  const auto b = split(to);
  if (a == b) return "";
  // Longest common subsequence, then a walk that prefers deletions before insertions.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::ostringstream out;
  out << "--- " << from_label << "\n+++ " << to_label << "\n";
  out << "@@ -1," << n << " +1," << m << " @@\n";
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      out << " " << a[i] << "\n";
      ++i, ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out << "-" << a[i++] << "\n";
    } else {
      out << "+" << b[j++] << "\n";
    }
  }
  return out.str();
}

}  // namespace airlock::app
