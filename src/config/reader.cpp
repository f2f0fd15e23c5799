#include "config/reader.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "config/names.hpp"
#include "core/duration.hpp"

namespace airlock::config::detail {
namespace {

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

std::string join_words(Words words) {
  std::string out;
  for (auto w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

}  // namespace

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  auto mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string child_path(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out += '.';
  out += key;
  return out;
}

std::string item_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

void Reader::error(const YAML::Node& at, const std::string& path, std::string message) {
  error(line_of(at), path, std::move(message));
}

void Reader::error(int line, const std::string& path, std::string message) {
  errors_.push_back(ConfigError{file_, line, path, std::move(message)});
}

bool Reader::walk_map(const YAML::Node& node, const std::string& path, Words known,
                      const Visitor& visit, Words required) {
  if (!walk(node, path, &known, nullptr, visit)) return false;
  for (auto key : required) {
    bool present = false;
    for (const auto& pair : node) present = present || pair.first.Scalar() == key;
    if (!present) error(node, child_path(path, key), "required key is missing");
  }
  return true;
}

bool Reader::walk_named(const YAML::Node& node, const std::string& path,
                        const NameCheck& check_name, const Visitor& visit) {
  return walk(node, path, nullptr, &check_name, visit);
}

bool Reader::walk(const YAML::Node& node, const std::string& path, const Words* known,
                  const NameCheck* check_name, const Visitor& visit) {
  if (!node.IsMap()) {
    error(node, path, "expected a mapping, got " + kind_of(node));
    return false;
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& pair : node) {
    const YAML::Node& key_node = pair.first;
    if (!key_node.IsScalar()) {
      error(key_node, path, "keys must be plain words, got " + kind_of(key_node));
      continue;
    }
    const std::string& key = key_node.Scalar();
    std::string key_path = child_path(path, key);
    if (!seen.insert(key).second) {
      error(key_node, key_path, "duplicate key");
      continue;
    }
    if (known && std::find(known->begin(), known->end(), key) == known->end()) {
      std::string message = "unknown key";
      if (auto hint = suggest(key, *known)) message += " (did you mean '" + *hint + "'?)";
      else message += " (expected one of: " + join_words(*known) + ")";
      error(key_node, key_path, std::move(message));
      continue;
    }
    if (check_name) {
      if (auto problem = (*check_name)(key)) {
        error(key_node, key_path, std::move(*problem));
        continue;
      }
    }
    if (pair.second.IsNull()) {
      // A null value's own mark points past the key; report at the key's line.
      error(key_node, key_path, "has no value");
      continue;
    }
    visit(key, pair.second, key_path);
  }
  return true;
}

std::optional<std::string> Reader::text(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) {
    error(node, path, "expected a string, got " + kind_of(node));
    return std::nullopt;
  }
  if (node.Scalar().empty()) {
    error(node, path, "must not be empty");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::uint64_t> Reader::integer(const YAML::Node& node, const std::string& path,
                                             std::uint64_t min, std::uint64_t max) {
  std::string range = " between " + std::to_string(min) + " and " + std::to_string(max);
  if (max == UINT64_MAX) {
    range = min == 1 ? " greater than 0" : " of at least " + std::to_string(min);
  }
  if (!node.IsScalar()) {
    error(node, path, "expected an integer" + range + ", got " + kind_of(node));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty() || v < min || v > max) {
    error(node, path, "expected an integer" + range + ", got '" + s + "'");
    return std::nullopt;
  }
  return v;
}

std::optional<Millis> Reader::duration(const YAML::Node& node, const std::string& path) {
  const char* expected = "expected a duration such as 250ms, 5s, 2m, 1h or 0";
  if (!node.IsScalar()) {
    error(node, path, std::string(expected) + ", got " + kind_of(node));
    return std::nullopt;
  }
  auto d = parse_duration(node.Scalar());
  if (!d) error(node, path, std::string(expected) + ", got '" + node.Scalar() + "'");
  return d;
}

std::optional<Millis> Reader::positive_duration(const YAML::Node& node, const std::string& path) {
  auto d = duration(node, path);
  if (d && d->count() == 0) {
    error(node, path, "must be greater than 0");
    return std::nullopt;
  }
  return d;
}

std::optional<std::size_t> Reader::size(const YAML::Node& node, const std::string& path,
                                        std::size_t min, std::size_t max) {
  const char* expected = "expected a size such as 64MiB, 128KiB or 10000";
  if (!node.IsScalar()) {
    error(node, path, std::string(expected) + ", got " + kind_of(node));
    return std::nullopt;
  }
  auto s = parse_size(node.Scalar());
  if (!s) {
    error(node, path, std::string(expected) + ", got '" + node.Scalar() + "'");
    return std::nullopt;
  }
  if (*s < min || *s > max) {
    error(node, path, "must be between " + std::to_string(min) + " and " +
                          std::to_string(max) + " bytes, got '" + node.Scalar() + "'");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Reader::choice(const YAML::Node& node, const std::string& path,
                                          Words choices) {
  std::string expected = "expected one of " + join_words(choices);
  if (!node.IsScalar()) {
    error(node, path, expected + ", got " + kind_of(node));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
  std::string message = expected + ", got '" + s + "'";
  if (auto hint = suggest(s, choices)) message += " (did you mean '" + *hint + "'?)";
  error(node, path, std::move(message));
  return std::nullopt;
}

std::optional<std::vector<std::string>> Reader::text_list(const YAML::Node& node,
                                                          const std::string& path,
                                                          bool allow_empty) {
  if (!node.IsSequence()) {
    error(node, path, "expected a list such as [a, b], got " + kind_of(node));
    return std::nullopt;
  }
  if (node.size() == 0 && !allow_empty) {
    error(node, path, "must not be an empty list");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  std::size_t index = 0;
  for (const auto& element : node) {
    auto item = text(element, item_path(path, index++));
    if (item) out.push_back(std::move(*item));
    else ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace airlock::config::detail
