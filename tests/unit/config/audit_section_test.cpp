// audit: section. Error cases as in error_cases_test.cpp: the exact errors, with file:line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace airlock::config {
namespace {

const std::string kBase =
    "upstream: {database: app, user: airlock}\n"
    "agents:\n  bot:\n    password_env: CFG_TEST_BOT_PASSWORD\n";  // 4 lines

struct AuditCase {
  const char* name;
  std::string audit;  // starts at line 5
  std::vector<std::string> expected;
};

class AuditSection : public testing::TestWithParam<AuditCase> {
 protected:
  static void SetUpTestSuite() { ::setenv("CFG_TEST_BOT_PASSWORD", "bot-secret", 1); }
};

TEST_P(AuditSection, ReportsExactlyTheExpectedErrors) {
  const AuditCase& c = GetParam();
  LoadResult result = load_config_from_string(kBase + c.audit, "t.yaml");
  std::string all;
  for (const auto& e : result.errors) all += "  " + e.to_string() + "\n";
  ASSERT_EQ(result.errors.size(), c.expected.size()) << "errors:\n" << all;
  for (std::size_t i = 0; i < c.expected.size(); ++i) {
    EXPECT_NE(result.errors[i].to_string().find(c.expected[i]), std::string::npos)
        << "error " << i << " should contain: " << c.expected[i] << "\nerrors:\n"
        << all;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, AuditSection,
    testing::ValuesIn(std::vector<AuditCase>{
        {"audit_dir_missing",
         "audit: {fsync: always}\n",
         {"t.yaml:5: audit.dir: required key is missing"}},
        {"audit_dir_is_a_file",
         "audit: {dir: /etc/hostname}\n",
         {"t.yaml:5: audit.dir: '/etc/hostname' exists and is not a directory"}},
        {"audit_fsync_typo",
         "audit:\n  dir: trail\n  fsync: alwyas\n",
         {"t.yaml:7: audit.fsync: expected one of always, interval, got 'alwyas' (did you mean "
          "'always'?)"}},
        {"audit_fsync_interval_zero",
         "audit:\n  dir: trail\n  fsync_interval: 0\n",
         {"t.yaml:7: audit.fsync_interval: must be between 1ms and 10s"}},
        {"audit_fsync_interval_too_long",
         "audit:\n  dir: trail\n  fsync_interval: 1m\n",
         {"t.yaml:7: audit.fsync_interval: must be between 1ms and 10s"}},
        {"audit_fsync_interval_not_a_duration",
         "audit:\n  dir: trail\n  fsync_interval: soon\n",
         {"t.yaml:7: audit.fsync_interval: expected a duration such as 250ms"}},
        {"audit_max_file_size_tiny",
         "audit:\n  dir: trail\n  max_file_size: 100\n",
         {"t.yaml:7: audit.max_file_size: must be between 4096 and 1073741824 bytes, got '100'"}},
        {"audit_keep_literals_not_bool",
         "audit:\n  dir: trail\n  keep_literals: yes\n",
         {"t.yaml:7: audit.keep_literals: expected one of true, false, got 'yes'"}},
        {"audit_unknown_key",
         "audit:\n  dir: trail\n  max_file_bytes: 1MiB\n",
         {"t.yaml:7: audit.max_file_bytes: unknown key"}},
        {"audit_not_a_mapping",
         "audit: /var/lib/airlock\n",
         {"t.yaml:5: audit: expected a mapping"}},
    }),
    [](const testing::TestParamInfo<AuditCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST(AuditSectionLoad, EveryKeyAndRelativeDir) {
  ::setenv("CFG_TEST_BOT_PASSWORD", "bot-secret", 1);
  LoadResult r = load_config_from_string(kBase +
                                             "audit:\n"
                                             "  dir: trail\n"
                                             "  fsync: always\n"
                                             "  fsync_interval: 25ms\n"
                                             "  max_file_size: 1MiB\n"
                                             "  keep_literals: true\n",
                                         "/etc/airlock/airlock.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().to_string();
  const Audit& a = r.config->audit;
  EXPECT_EQ(a.dir, "/etc/airlock/trail");
  EXPECT_EQ(a.fsync, "always");
  EXPECT_EQ(a.fsync_interval, Millis(25));
  EXPECT_EQ(a.max_file_bytes, 1024u * 1024);
  EXPECT_TRUE(a.keep_literals);
}

TEST(AuditSectionLoad, Defaults) {
  ::setenv("CFG_TEST_BOT_PASSWORD", "bot-secret", 1);
  LoadResult r =
      load_config_from_string(kBase + "audit: {dir: /var/lib/airlock/audit}\n", "t.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().to_string();
  const Audit& a = r.config->audit;
  EXPECT_EQ(a.dir, "/var/lib/airlock/audit");
  EXPECT_EQ(a.fsync, "interval");
  EXPECT_EQ(a.fsync_interval, Millis(10));
  EXPECT_EQ(a.max_file_bytes, 64u * 1024 * 1024);
  EXPECT_FALSE(a.keep_literals);
  LoadResult none = load_config_from_string(kBase, "t.yaml");
  ASSERT_TRUE(none.errors.empty());
  EXPECT_TRUE(none.config->audit.dir.empty());
}

}  // namespace
}  // namespace airlock::config
