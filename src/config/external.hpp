#pragma once
// Internal to the config library: what the loader reads from outside the YAML text,
// namely files named by the config and environment variables named by *_env keys.
#include <filesystem>
#include <optional>
#include <string>

#include "config/reader.hpp"

namespace airlock::config::detail {

// A path from the config, relative paths taken from base_dir (the config file's folder).
std::filesystem::path resolve_path(const std::string& text, const std::filesystem::path& base_dir);

// The resolved path of a regular file that exists and is readable by this process.
std::optional<std::string> readable_file(Reader& reader, const YAML::Node& node,
                                         const std::string& path,
                                         const std::filesystem::path& base_dir);

// The resolved path of an existing directory.
std::optional<std::string> existing_directory(Reader& reader, const YAML::Node& node,
                                              const std::string& path,
                                              const std::filesystem::path& base_dir);

// The value of the environment variable whose name node holds. Reports an invalid name,
// an unset variable or an empty value; never includes a value in a message.
std::optional<std::string> env_secret(Reader& reader, const YAML::Node& node,
                                      const std::string& path);

}  // namespace airlock::config::detail
