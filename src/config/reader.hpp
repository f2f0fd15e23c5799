#pragma once
// Internal to the config library: walks YAML nodes and records every problem with its
// file, line and dotted key path, so that loading reports all errors in one pass.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/names.hpp"  // Words

namespace airlock::config::detail {

// 1-based line of a node, 0 when unknown.
int line_of(const YAML::Node& node);
// "a.b" + "c" -> "a.b.c"; "" + "c" -> "c".
std::string child_path(const std::string& path, std::string_view key);
// "a.allow" + 2 -> "a.allow[2]".
std::string item_path(const std::string& path, std::size_t index);

class Reader {
 public:
  using Visitor =
      std::function<void(const std::string& key, const YAML::Node& value, const std::string& path)>;

  explicit Reader(std::string file) : file_(std::move(file)) {}

  void error(const YAML::Node& at, const std::string& path, std::string message);
  void error(int line, const std::string& path, std::string message);
  std::size_t error_count() const { return errors_.size(); }
  std::vector<ConfigError> take_errors() { return std::move(errors_); }

  // Checks that node is a mapping with string keys, reports duplicate and unknown keys
  // (with a "did you mean" hint) and keys without a value, calls visit for each other
  // known key in file order, then reports the required keys that are absent.
  // Returns false (after reporting) when node is not a mapping.
  bool walk_map(const YAML::Node& node, const std::string& path, Words known,
                const Visitor& visit, Words required = {});
  // Same, for a mapping whose keys are names chosen by the user: check_name returns a
  // message for an invalid name (reported at the key's line; the entry is skipped).
  using NameCheck = std::function<std::optional<std::string>(std::string_view name)>;
  bool walk_named(const YAML::Node& node, const std::string& path, const NameCheck& check_name,
                  const Visitor& visit);

  // A non-empty scalar. Never echoes the value in messages (it may be a secret).
  std::optional<std::string> text(const YAML::Node& node, const std::string& path);
  // A decimal integer within [min, max]; max = UINT64_MAX means no upper bound.
  std::optional<std::uint64_t> integer(const YAML::Node& node, const std::string& path,
                                       std::uint64_t min, std::uint64_t max);
  // A duration for parse_duration ("5s", "250ms", "0").
  std::optional<Millis> duration(const YAML::Node& node, const std::string& path);
  // The same, but 0 is an error ("must be greater than 0").
  std::optional<Millis> positive_duration(const YAML::Node& node, const std::string& path);
  // A size for parse_size ("64MiB", "10000") within [min, max].
  std::optional<std::size_t> size(const YAML::Node& node, const std::string& path,
                                  std::size_t min, std::size_t max);
  // One of a fixed set of words.
  std::optional<std::string> choice(const YAML::Node& node, const std::string& path,
                                    Words choices);
  // A sequence of non-empty scalars; an empty sequence is an error unless allow_empty.
  std::optional<std::vector<std::string>> text_list(const YAML::Node& node,
                                                    const std::string& path,
                                                    bool allow_empty);

 private:
  bool walk(const YAML::Node& node, const std::string& path, const Words* known,
            const NameCheck* check_name, const Visitor& visit);

  std::string file_;
  std::vector<ConfigError> errors_;
};

}  // namespace airlock::config::detail
