// The MCP listener's checks before a request reaches the dispatcher (mcp/http_checks.hpp):
// Host on a loopback listener (DNS rebinding), Origin against mcp.allowed_origins.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "mcp/http_checks.hpp"

namespace airlock::mcp {
namespace {

struct HostCase {
  std::optional<std::string> host;
  bool loopback;
  bool allowed;
};

class Host : public ::testing::TestWithParam<HostCase> {};

TEST_P(Host, Table) {
  const auto& c = GetParam();
  EXPECT_EQ(host_allowed(c.host, c.loopback), c.allowed) << c.host.value_or("<none>");
}

INSTANTIATE_TEST_SUITE_P(
    Rebinding, Host,
    ::testing::Values(HostCase{"127.0.0.1:8765", true, true}, HostCase{"localhost:8765", true, true},
                      HostCase{"LOCALHOST", true, true}, HostCase{"[::1]:8765", true, true},
                      HostCase{"[::1]", true, true}, HostCase{"evil.example.com", true, false},
                      HostCase{"evil.example.com:8765", true, false},
                      HostCase{"127.0.0.1.evil.com", true, false}, HostCase{"localhost:", true, false},
                      HostCase{"localhost:80x", true, false}, HostCase{"[::2]:1", true, false},
                      HostCase{"[::1]x", true, false}, HostCase{std::nullopt, true, false},
                      HostCase{"", true, false}, HostCase{"db.internal:8765", false, true},
                      HostCase{std::nullopt, false, true}));

struct OriginCase {
  std::optional<std::string> origin;
  bool allowed;
};

class Origin : public ::testing::TestWithParam<OriginCase> {};

TEST_P(Origin, Table) {
  const std::vector<std::string> allowed = {"http://127.0.0.1:8765", "http://localhost:6274"};
  EXPECT_EQ(origin_allowed(GetParam().origin, allowed), GetParam().allowed)
      << GetParam().origin.value_or("<none>");
}

INSTANTIATE_TEST_SUITE_P(
    Rebinding, Origin,
    ::testing::Values(OriginCase{std::nullopt, true}, OriginCase{"http://127.0.0.1:8765", true},
                      OriginCase{"HTTP://LOCALHOST:6274", true},
                      OriginCase{"http://evil.example.com", false},
                      OriginCase{"http://127.0.0.1:8766", false},
                      OriginCase{"http://127.0.0.1:8765/", false}, OriginCase{"null", false},
                      OriginCase{"", false}));

TEST(HttpError, IsJsonRpcWithNullId) {
  const Reply r = http_error(401, "no");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("\"id\":null"), std::string::npos);
  EXPECT_NE(r.body.find("-32001"), std::string::npos);
}

}  // namespace
}  // namespace airlock::mcp
