// audit: (issue #5): where the hash-chained trail lives and how it is written.
#include <filesystem>
#include <system_error>

#include "config/external.hpp"
#include "config/sections.hpp"

namespace airlock::config::detail {
namespace {

// A file must hold at least a few records; above 1 GiB verify and search get unwieldy.
constexpr std::size_t kMinFileBytes = 4 * 1024;
constexpr std::size_t kMaxFileBytes = 1024ull * 1024 * 1024;
constexpr Millis kMaxFsyncInterval{10'000};

}  // namespace

void read_audit(Context& ctx, const YAML::Node& node, const std::string& path, Audit& out) {
  Reader& r = ctx.reader;
  r.walk_map(node, path, {"dir", "fsync", "fsync_interval", "max_file_size", "keep_literals"},
             [&](const std::string& key, const YAML::Node& value, const std::string& key_path) {
               if (key == "dir") {
                 auto text = r.text(value, key_path);
                 if (!text) return;
                 auto dir = resolve_path(*text, ctx.base_dir);
                 // The writer creates the directory when it is absent; something else in its place
                 // would only fail at the first statement.
                 std::error_code ec;
                 if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
                   r.error(value, key_path, "'" + dir.string() + "' exists and is not a directory");
                   return;
                 }
                 out.dir = dir.string();
               } else if (key == "fsync") {
                 if (auto policy = r.choice(value, key_path, {"always", "interval"}))
                   out.fsync = *policy;
               } else if (key == "fsync_interval") {
                 auto d = r.duration(value, key_path);
                 if (!d) return;
                 if (d->count() == 0 || *d > kMaxFsyncInterval) {
                   r.error(value, key_path, "must be between 1ms and 10s");
                   return;
                 }
                 out.fsync_interval = *d;
               } else if (key == "max_file_size") {
                 if (auto size = r.size(value, key_path, kMinFileBytes, kMaxFileBytes))
                   out.max_file_bytes = *size;
               } else if (auto keep = r.choice(value, key_path, {"true", "false"})) {
                 out.keep_literals = *keep == "true";
               }
             },
             {"dir"});
}

}  // namespace airlock::config::detail
