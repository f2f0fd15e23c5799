#include "config/external.hpp"

#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "config/names.hpp"

namespace airlock::config::detail {

std::filesystem::path resolve_path(const std::string& text,
                                   const std::filesystem::path& base_dir) {
  std::filesystem::path p(text);
  if (p.is_relative() && !base_dir.empty()) p = base_dir / p;
  return p.lexically_normal();
}

std::optional<std::string> readable_file(Reader& reader, const YAML::Node& node,
                                         const std::string& path,
                                         const std::filesystem::path& base_dir) {
  auto text = reader.text(node, path);
  if (!text) return std::nullopt;
  auto file = resolve_path(*text, base_dir);
  std::error_code ec;
  auto status = std::filesystem::status(file, ec);
  if (ec || !std::filesystem::exists(status)) {
    reader.error(node, path, "file '" + file.string() + "' does not exist");
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(status)) {
    reader.error(node, path, "'" + file.string() + "' is not a regular file");
    return std::nullopt;
  }
  if (::access(file.c_str(), R_OK) != 0) {
    reader.error(node, path, "file '" + file.string() + "' is not readable");
    return std::nullopt;
  }
  return file.string();
}

std::optional<std::string> existing_directory(Reader& reader, const YAML::Node& node,
                                              const std::string& path,
                                              const std::filesystem::path& base_dir) {
  auto text = reader.text(node, path);
  if (!text) return std::nullopt;
  auto dir = resolve_path(*text, base_dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    reader.error(node, path, "'" + dir.string() + "' is not an existing directory");
    return std::nullopt;
  }
  return dir.string();
}

std::optional<std::string> env_secret(Reader& reader, const YAML::Node& node,
                                      const std::string& path) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    reader.error(node, path, "expected the name of an environment variable");
    return std::nullopt;
  }
  const std::string& name = node.Scalar();
  if (auto problem = check_env_name(name)) {
    reader.error(node, path, *problem);
    return std::nullopt;
  }
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    reader.error(node, path, "environment variable " + name + " is not set");
    return std::nullopt;
  }
  if (*value == '\0') {
    reader.error(node, path, "environment variable " + name + " is empty");
    return std::nullopt;
  }
  return std::string(value);
}

}  // namespace airlock::config::detail
