// state:, approvals: and an agent's budgets: (issue #4). Stub: filled in by the state work.
#include "config/sections.hpp"

namespace airlock::config::detail {

void read_state(Context&, const YAML::Node&, const std::string&, State&) {}
void read_approvals(Context&, const YAML::Node&, const std::string&, Approvals&) {}
void read_budgets(Context&, const YAML::Node&, const std::string&, std::vector<Budget>&) {}

}  // namespace airlock::config::detail
