// admin: (issue #5). Stub: filled in by the admin listener work.
#include "config/sections.hpp"

namespace airlock::config::detail {

void read_admin(Context&, const YAML::Node&, const std::string&, Admin&) {}

}  // namespace airlock::config::detail
