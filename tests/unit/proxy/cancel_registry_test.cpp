// CancelRegistry: a CancelRequest finds its upstream only with the exact pid and secret.
#include "proxy/cancel_registry.hpp"

#include <gtest/gtest.h>

#include <ostream>

#include <cstdint>
#include <set>
#include <string>

namespace airlock::proxy {
namespace {

const CancelTarget kTarget{"db.internal", 5432, 777, 0xABCDEF01};

TEST(CancelRegistry, AddThenFindReturnsTarget) {
  CancelRegistry reg;
  const auto key = reg.add(kTarget);
  EXPECT_EQ(reg.size(), 1u);
  const auto t = reg.find(key.pid, key.secret);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->host, "db.internal");
  EXPECT_EQ(t->port, 5432);
  EXPECT_EQ(t->upstream_pid, 777u);
  EXPECT_EQ(t->upstream_secret, 0xABCDEF01u);
}

TEST(CancelRegistry, IssuedPidsArePositiveNonZeroAndUnique) {
  CancelRegistry reg;
  std::set<std::uint32_t> pids;
  for (int i = 0; i < 2000; ++i) {
    const auto key = reg.add(kTarget);
    EXPECT_NE(key.pid, 0u);
    EXPECT_LE(key.pid, 0x7FFFFFFFu) << "pid must fit a signed int32";
    EXPECT_TRUE(pids.insert(key.pid).second) << "duplicate pid " << key.pid;
  }
  EXPECT_EQ(reg.size(), 2000u);
}

struct WrongKey {
  const char* name;
  std::uint32_t pid_xor;
  std::uint32_t secret_xor;
};
void PrintTo(const WrongKey& c, std::ostream* os) { *os << c.name; }

class CancelRegistryWrongKey : public ::testing::TestWithParam<WrongKey> {};

TEST_P(CancelRegistryWrongKey, NotFound) {
  CancelRegistry reg;
  const auto key = reg.add(kTarget);
  const WrongKey& w = GetParam();
  EXPECT_FALSE(reg.find(key.pid ^ w.pid_xor, key.secret ^ w.secret_xor).has_value());
  EXPECT_TRUE(reg.find(key.pid, key.secret).has_value()) << "a failed lookup removes nothing";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CancelRegistryWrongKey,
    ::testing::Values(WrongKey{"secret_low_bit", 0, 0x1},
                      WrongKey{"secret_high_bit", 0, 0x80000000},
                      WrongKey{"secret_all_bits", 0, 0xFFFFFFFF},
                      WrongKey{"secret_middle_byte", 0, 0x00FF0000},
                      WrongKey{"pid_low_bit", 0x2, 0}, WrongKey{"pid_high_bit", 0x80000000, 0},
                      WrongKey{"both", 0x4, 0x4}),
    [](const ::testing::TestParamInfo<WrongKey>& p) { return std::string(p.param.name); });

TEST(CancelRegistry, SecretOfAnotherSessionNotFound) {
  CancelRegistry reg;
  const auto a = reg.add(kTarget);
  const auto b = reg.add({"other", 1, 2, 3});
  if (a.secret != b.secret) {
    EXPECT_FALSE(reg.find(a.pid, b.secret).has_value());
    EXPECT_FALSE(reg.find(b.pid, a.secret).has_value());
  }
  EXPECT_EQ(reg.find(b.pid, b.secret)->host, "other");
}

TEST(CancelRegistry, RemoveForgetsOnlyThatSession) {
  CancelRegistry reg;
  const auto a = reg.add(kTarget);
  const auto b = reg.add(kTarget);
  reg.remove(a.pid);
  EXPECT_EQ(reg.size(), 1u);
  EXPECT_FALSE(reg.find(a.pid, a.secret).has_value());
  EXPECT_TRUE(reg.find(b.pid, b.secret).has_value());
  reg.remove(a.pid);  // twice: no-op
  reg.remove(0);      // never issued: no-op
  EXPECT_EQ(reg.size(), 1u);
  reg.remove(b.pid);
  EXPECT_EQ(reg.size(), 0u);
  EXPECT_FALSE(reg.find(b.pid, b.secret).has_value());
}

TEST(CancelRegistry, EmptyRegistryFindsNothing) {
  const CancelRegistry reg;
  EXPECT_FALSE(reg.find(0, 0).has_value());
  EXPECT_FALSE(reg.find(1, 0).has_value());
  EXPECT_EQ(reg.size(), 0u);
}

}  // namespace
}  // namespace airlock::proxy
