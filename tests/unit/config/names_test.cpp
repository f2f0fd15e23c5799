#include "config/names.hpp"

#include <gtest/gtest.h>

#include "config/reader.hpp"

namespace airlock::config::detail {
namespace {

TEST(ConfigNames, Identifiers) {
  EXPECT_FALSE(check_identifier("tickets"));
  EXPECT_FALSE(check_identifier("_t1$x"));
  EXPECT_FALSE(check_identifier("\"Mixed Case\""));
  EXPECT_FALSE(check_identifier("\"with\"\"quote\""));
  EXPECT_TRUE(check_identifier(""));
  EXPECT_TRUE(check_identifier("Tickets"));
  EXPECT_TRUE(check_identifier("1st"));
  EXPECT_TRUE(check_identifier("$x"));
  EXPECT_TRUE(check_identifier("a-b"));
  EXPECT_TRUE(check_identifier("\"\""));
  EXPECT_TRUE(check_identifier("\"bad\"quote\""));
  EXPECT_TRUE(check_identifier(std::string(64, 'a')));
  EXPECT_FALSE(check_identifier(std::string(63, 'a')));
}

TEST(ConfigNames, QualifiedNames) {
  EXPECT_FALSE(check_qualified_name("public.tickets"));
  EXPECT_FALSE(check_qualified_name("\"My.Schema\".\"T\""));
  EXPECT_TRUE(check_qualified_name("tickets"));
  EXPECT_TRUE(check_qualified_name("a.b.c"));
  EXPECT_TRUE(check_qualified_name(".t"));
  EXPECT_TRUE(check_qualified_name("public."));
  EXPECT_TRUE(check_qualified_name("public.\"open"));
}

TEST(ConfigNames, AgentAndEnvNames) {
  EXPECT_FALSE(check_agent_name("support-bot"));
  EXPECT_FALSE(check_agent_name("A.b_c-9"));
  EXPECT_TRUE(check_agent_name(""));
  EXPECT_TRUE(check_agent_name("has space"));
  EXPECT_TRUE(check_agent_name(std::string(64, 'a')));
  EXPECT_FALSE(check_env_name("AIRLOCK_PW_1"));
  EXPECT_TRUE(check_env_name("1ABC"));
  EXPECT_TRUE(check_env_name("pass word"));
}

TEST(ConfigNames, Suggestions) {
  EXPECT_EQ(suggest("pasword_env", {"password_env", "scram_verifier"}), "password_env");
  EXPECT_EQ(suggest("upstrem", {"listen", "upstream"}), "upstream");
  EXPECT_EQ(suggest("prot", {"host", "port"}), "port");
  EXPECT_EQ(suggest("SELECT", {"select", "insert"}), "select");
  EXPECT_FALSE(suggest("colour", {"listen", "upstream"}));
}

}  // namespace
}  // namespace airlock::config::detail
