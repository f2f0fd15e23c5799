// Seeded PII literals never reach the trail when literals are not kept: statements go
// through sql::normalize and error text through sql::redact_literals, as the gateway does.
#include <gtest/gtest.h>

#include "audit/writer.hpp"
#include "sql/normalize.hpp"
#include "trail_fixture.hpp"

namespace airlock::audit {
namespace {

using namespace testing_support;

const std::vector<std::string> kPii = {"john.doe@example.com", "555-867-5309", "4111111111111111",
                                       "jane@corp.io",         "hunter2",      "078-05-1120"};

const std::vector<std::string> kStatements = {
    "SELECT * FROM users WHERE email = 'john.doe@example.com'",
    "UPDATE customers SET phone = '555-867-5309' WHERE card = 4111111111111111",
    "INSERT INTO contacts (email, note) VALUES ('jane@corp.io', $$ssn 078-05-1120$$)",
    "ALTER ROLE app PASSWORD 'hunter2'",
    "SELECT 1 -- reach jane@corp.io at 555-867-5309\n",
    "SELECT /* 4111111111111111 */ name FROM cards",
    "CREATE TABLE t (email text DEFAULT 'john.doe@example.com')",
    "PREPARE p AS SELECT $1; EXECUTE p('jane@corp.io')",
    "COPY users FROM '/home/john.doe@example.com/users.csv'",
    "SELECT * FROM users WHERE email = 'john.doe@example.com' AND",  // does not parse
    "SELECT E'jane@corp.io\\' 555-867-5309' FROM",                   // does not parse
    "SELECT * FROM users WHERE email = \"jane@corp.io\" AND (",      // does not parse
};

const std::vector<std::string> kErrors = {
    "invalid input syntax for type integer: \"555-867-5309\"",
    "value too long for type character varying(4): 'jane@corp.io'",
};

std::string write_trail(const std::string& dir, bool keep_literals) {
  WriterOptions o;
  o.dir = dir;
  auto w = Writer::open(o);
  EXPECT_TRUE(w.has_value());
  for (const auto& text : kStatements) {
    Record r;
    r.agent = "bot";
    if (keep_literals) {
      r.statement = text;
    } else {
      auto n = sql::normalize(text);
      r.statement = n.text;
      r.fingerprint = n.fingerprint;
    }
    EXPECT_TRUE((*w)->append(r));
  }
  for (const auto& message : kErrors) {
    Record r;
    r.kind = kind::kOutcome;
    r.sqlstate = "22P02";
    r.error = keep_literals ? message : sql::redact_literals(message);
    EXPECT_TRUE((*w)->append(r));
  }
  (void)(*w)->sync();
  std::string all;
  for (const auto& [name, content] : snapshot(dir)) all += content;
  return all;
}

TEST(Redaction, SeededPiiNeverReachesTheTrail) {
  TempDir tmp;
  const std::string trail = write_trail(tmp.path(), false);
  for (const auto& pii : kPii)
    EXPECT_EQ(trail.find(pii), std::string::npos) << pii << "\n" << trail;
}

TEST(Redaction, KeepLiteralsKeepsThem) {
  TempDir tmp;
  const std::string trail = write_trail(tmp.path(), true);
  EXPECT_NE(trail.find("john.doe@example.com"), std::string::npos);
}

}  // namespace
}  // namespace airlock::audit
