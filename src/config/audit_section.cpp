// audit: (issue #5). Stub: filled in by the audit work.
#include "config/sections.hpp"

namespace airlock::config::detail {

void read_audit(Context&, const YAML::Node&, const std::string&, Audit&) {}

}  // namespace airlock::config::detail
