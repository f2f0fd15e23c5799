// Entries of an agent's allow and hold lists. Their meaning belongs to the policy engine;
// here they are only checked for shape: known keys, valid names, known actions.
#include "config/names.hpp"
#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

using NameCheck = std::optional<std::string> (*)(std::string_view);

// A list of names, each checked by check; invalid names are reported at their own line.
std::vector<std::string> name_list(Reader& r, const YAML::Node& node, const std::string& path,
                                   bool allow_empty, NameCheck check) {
  std::vector<std::string> out;
  auto names = r.text_list(node, path, allow_empty);
  if (!names) return out;
  std::size_t index = 0;
  for (const auto& element : node) {
    const std::string& name = (*names)[index];
    if (auto problem = check(name)) r.error(element, item_path(path, index), *problem);
    else out.push_back(name);
    ++index;
  }
  return out;
}

std::vector<std::string> action_list(Reader& r, const YAML::Node& node,
                                     const std::string& path) {
  std::vector<std::string> out;
  if (!r.text_list(node, path, false)) return out;
  std::size_t index = 0;
  for (const auto& element : node) {
    auto action = r.choice(element, item_path(path, index++),
                           {"select", "insert", "update", "delete", "truncate", "references",
                            "trigger", "ddl", "lock", "copy"});
    if (action) out.push_back(std::move(*action));
  }
  return out;
}

// `mask: [email, {column: ssn, style: hash}]`: the short form is style full.
std::optional<policy::MaskSpec> mask_item(Reader& r, const YAML::Node& node,
                                          const std::string& path) {
  policy::MaskSpec m;
  if (!node.IsMap()) {
    auto name = r.text(node, path);
    if (!name) return std::nullopt;
    if (auto problem = check_identifier(*name)) {
      r.error(node, path, *problem);
      return std::nullopt;
    }
    m.column = std::move(*name);
    return m;
  }
  bool ok = true;
  const bool is_map = r.walk_map(
      node, path, {"column", "style"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "column") {
          auto name = r.text(value, key_path);
          if (!name) {
            ok = false;
          } else if (auto problem = check_identifier(*name)) {
            r.error(value, key_path, *problem);
            ok = false;
          } else {
            m.column = std::move(*name);
          }
        } else if (auto style = r.choice(value, key_path, {"full", "partial", "hash", "null"})) {
          m.style = parse_mask_style(*style).value_or(MaskStyle::Full);
        } else {
          ok = false;
        }
      },
      {"column"});
  if (!is_map || !ok || m.column.empty()) return std::nullopt;
  return m;
}

std::vector<policy::MaskSpec> mask_list(Reader& r, const YAML::Node& node,
                                        const std::string& path) {
  std::vector<policy::MaskSpec> out;
  if (!node.IsSequence()) {
    r.error(node, path, "expected a list such as [email, {column: ssn, style: hash}]");
    return out;
  }
  std::size_t index = 0;
  for (const auto& element : node) {
    const std::string element_path = item_path(path, index++);
    auto m = mask_item(r, element, element_path);
    if (!m) continue;
    bool twice = false;
    for (const auto& o : out) twice = twice || o.column == m->column;
    // Two styles for one column would leave the reader guessing which applies.
    if (twice) r.error(element, element_path, "column '" + m->column + "' is masked twice");
    else out.push_back(std::move(*m));
  }
  return out;
}

RuleEntry read_rule(Reader& r, const YAML::Node& node, const std::string& path) {
  RuleEntry rule;
  rule.line = line_of(node);
  bool has_object = false;
  bool is_map = r.walk_map(
      node, path,
      {"tables", "sequences", "functions", "actions", "columns", "mask", "deny_columns",
       "max_rows", "over_limit", "reason"},
      [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
        if (key == "tables") {
          has_object = true;
          rule.tables = name_list(r, value, key_path, false, check_qualified_name);
        } else if (key == "sequences") {
          has_object = true;
          rule.sequences = name_list(r, value, key_path, false, check_qualified_name);
        } else if (key == "functions") {
          has_object = true;
          rule.functions = name_list(r, value, key_path, false, check_qualified_name);
        } else if (key == "actions") {
          rule.actions = action_list(r, value, key_path);
        } else if (key == "columns") {
          rule.columns = name_list(r, value, key_path, true, check_identifier);
        } else if (key == "mask") {
          rule.mask = mask_list(r, value, key_path);
        } else if (key == "deny_columns") {
          rule.deny_columns = name_list(r, value, key_path, true, check_identifier);
        } else if (key == "max_rows") {
          rule.max_rows = r.integer(value, key_path, 1, UINT64_MAX);
        } else if (key == "over_limit") {
          if (auto v = r.choice(value, key_path, {"deny", "hold"})) rule.over_limit = *v;
        } else if (auto reason = r.text(value, key_path)) {
          rule.reason = *reason;
        }
      });
  if (is_map && !has_object) {
    r.error(node, path, "a rule needs at least one of tables, sequences or functions");
  }
  return rule;
}

}  // namespace

void read_rules(Context& ctx, const YAML::Node& node, const std::string& path,
                std::vector<RuleEntry>& out) {
  if (!node.IsSequence()) {
    ctx.reader.error(node, path, "expected a list of rules (each starting with '- ')");
    return;
  }
  std::size_t index = 0;
  for (const auto& entry : node) {
    out.push_back(read_rule(ctx.reader, entry, item_path(path, index++)));
  }
}

}  // namespace airlock::config::detail
