// The loader's driver: parses the YAML text, dispatches each top-level section to its
// reader (sections.hpp) and returns either a validated Config or every error found.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "config/reader.hpp"
#include "config/sections.hpp"

namespace airlock::config {
namespace {

using detail::Context;
using detail::Reader;

void read_root(Context& ctx, const YAML::Node& root, Config& out) {
  Reader& r = ctx.reader;
  r.walk_map(
      root, "",
      {"listen", "unix_socket_dir", "threads", "tls", "upstream", "timeouts", "limits",
       "startup_parameters", "log", "agents", "state", "approvals", "audit", "admin",
       "masking", "mcp"},
      [&](const std::string& key, const YAML::Node& value, const std::string& path) {
        if (key == "listen") {
          detail::read_listen(ctx, value, path, out.listen);
        } else if (key == "unix_socket_dir") {
          detail::read_unix_socket_dir(ctx, value, path, out.unix_socket_dir);
        } else if (key == "threads") {
          if (auto n = r.integer(value, path, 0, 1024)) out.threads = static_cast<int>(*n);
        } else if (key == "tls") {
          detail::read_tls(ctx, value, path, out.tls);
        } else if (key == "upstream") {
          detail::read_upstream(ctx, value, path, out.upstream);
        } else if (key == "timeouts") {
          detail::read_timeouts(ctx, value, path, out.timeouts);
        } else if (key == "limits") {
          detail::read_limits(ctx, value, path, out.limits);
        } else if (key == "startup_parameters") {
          detail::read_startup_parameters(ctx, value, path, out.extra_startup_parameters);
        } else if (key == "log") {
          detail::read_log(ctx, value, path, out);
        } else if (key == "state") {
          detail::read_state(ctx, value, path, out.state);
        } else if (key == "approvals") {
          detail::read_approvals(ctx, value, path, out.approvals);
        } else if (key == "audit") {
          detail::read_audit(ctx, value, path, out.audit);
        } else if (key == "admin") {
          detail::read_admin(ctx, value, path, out.admin);
        } else if (key == "mcp") {
          detail::read_mcp(ctx, value, path, out.mcp);
        } else if (key == "masking") {
          detail::read_masking(ctx, value, path, out.masking);
        } else {
          detail::read_agents(ctx, value, path, out.agents);
        }
      },
      {"upstream", "agents"});
}

LoadResult finish(Reader& reader, std::shared_ptr<Config> config) {
  LoadResult result;
  result.errors = reader.take_errors();
  if (result.errors.empty()) {
    result.config = std::move(config);
    return result;
  }
  // Report in file order; errors without a line (missing pieces) keep their place at the end.
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     int la = a.line == 0 ? INT32_MAX : a.line;
                     int lb = b.line == 0 ? INT32_MAX : b.line;
                     return la < lb;
                   });
  return result;
}

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

LoadResult load_config_from_string(const std::string& yaml, const std::string& file_name,
                                   const LoadOptions& options) {
  Reader reader(file_name);
  auto config = std::make_shared<Config>();
  config->source_file = file_name;
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(yaml);
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    reader.error(line, "", "YAML syntax error: " + e.msg);
    return finish(reader, nullptr);
  }
  if (documents.empty() || documents.front().IsNull()) {
    reader.error(0, "", "the file is empty; upstream and agents are required");
    return finish(reader, nullptr);
  }
  if (documents.size() > 1) {
    reader.error(detail::line_of(documents[1]), "", "expected one YAML document, found several");
  }
  Context ctx{reader, std::filesystem::path(file_name).parent_path(), options.secrets};
  try {
    read_root(ctx, documents.front(), *config);
    detail::check_state_needed(ctx, documents.front(), *config);
    detail::check_masking_key(ctx, documents.front(), *config);
  } catch (const YAML::Exception& e) {
    // Not expected: every node is checked before it is read. Reported rather than thrown.
    reader.error(e.mark.is_null() ? 0 : e.mark.line + 1, "", "unexpected YAML error: " + e.msg);
  }
  return finish(reader, std::move(config));
}

LoadResult load_config(const std::string& path, const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.errors.push_back(ConfigError{path, 0, "", "cannot open the file for reading"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    LoadResult result;
    result.errors.push_back(ConfigError{path, 0, "", "error while reading the file"});
    return result;
  }
  return load_config_from_string(text.str(), path, options);
}

}  // namespace airlock::config
