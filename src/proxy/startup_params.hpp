#pragma once
// Validation of the parameters a client sends in its StartupMessage. Pure: no I/O.
//
// Airlock decides what reaches upstream: `user` names the agent and `database` is ignored
// (each gateway serves one upstream database), `options` is split into its -c settings and
// each is checked like a top-level parameter, and anything not on the allowlist is refused
// rather than forwarded. Settings that would make the server read SQL differently from
// Airlock's parser are refused too: client encodings other than UTF8, and
// standard_conforming_strings=off.
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/utf8.hpp"  // is_utf8_encoding_name, used by the session for ParameterStatus
#include "protocol/startup.hpp"

namespace airlock::proxy {

struct ClientStartup {
  std::string user;              // the agent name
  std::string database;          // as sent; informational only
  std::string application_name;  // as sent (validated)
  // Settings to send upstream, names lower-cased, in a stable order. Always ends with the
  // ones Airlock pins: client_encoding=UTF8 and standard_conforming_strings=on.
  std::vector<std::pair<std::string, std::string>> settings;
};

// The built-in allowlist of settings a client may choose at startup.
const std::vector<std::string>& default_allowed_startup_settings();

// `extra_allowed` are names an administrator added (config startup_parameters.allow).
Result<ClientStartup> validate_startup(const protocol::StartupMessage& msg,
                                       const std::vector<std::string>& extra_allowed);

// Splits a libpq `options` string into (name, value) pairs. Accepts "-c name=value",
// "-cname=value" and "--name=value", with backslash escaping spaces, as PostgreSQL does.
Result<std::vector<std::pair<std::string, std::string>>> split_options(std::string_view options);

}  // namespace airlock::proxy
