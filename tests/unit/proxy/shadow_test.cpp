// Shadow: scripted sessions. Each case drives the state machine as the session does (a batch
// starts, statements execute, the server answers) and checks the fix-up Queries that go
// upstream, the refusals, and what the client receives instead of the server's messages.
#include "proxy/shadow.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/backend.hpp"
#include "protocol/builder.hpp"
#include "protocol/frame.hpp"
#include "protocol/frontend.hpp"

namespace airlock::proxy {
namespace {

using Rewrite = Shadow::Rewrite;
using Action = Shadow::Action;

constexpr std::string_view kName = "airlock_shadow_00ff";
constexpr std::size_t kMax = 1 << 20;

std::string msg(char type, std::string_view body = {}) {
  std::string out;
  protocol::MessageBuilder(out).begin(type).bytes(body).end();
  return out;
}
std::string complete(std::string_view tag) { return msg('C', std::string(tag) + '\0'); }
std::string ready(char status) { return msg('Z', std::string(1, status)); }
std::string error(std::string_view code) {
  std::string out;
  protocol::append_error(out, {.severity = "ERROR", .sqlstate = code, .message = "boom"});
  return out;
}

// Decodes bytes into short strings: "Q:<sql>", "C:<tag>", "Z:<status>", "N:<sqlstate>",
// "P:<sql>", or the type letter.
std::vector<std::string> show(std::string_view bytes) {
  std::vector<std::string> out;
  while (!bytes.empty()) {
    protocol::Frame f;
    if (protocol::decode_typed(bytes, kMax, f) != protocol::DecodeStatus::Ready) {
      out.push_back("?");
      break;
    }
    std::string_view body = f.body;
    switch (f.type) {
      case 'Q': case 'C':
        out.push_back(std::string(1, f.type) + ":" + std::string(body.substr(0, body.size() - 1)));
        break;
      case 'Z':
        out.push_back("Z:" + std::string(body));
        break;
      case 'N':
        out.push_back("N:" + std::string(protocol::parse_error(f)->sqlstate));
        break;
      case 'P': {
        auto p = protocol::parse_parse(f);
        out.push_back("P:" + std::string(p->query));
        break;
      }
      default:
        out.push_back(std::string(1, f.type));
    }
    bytes.remove_prefix(f.size);
  }
  return out;
}

struct Driver {
  Shadow shadow{std::string(kName)};

  // The fix-up in front of a new batch, answered by the server as PostgreSQL would.
  std::vector<std::string> batch(char fixup_status = 'T') {
    std::string up;
    shadow.begin_batch(up);
    auto sent = show(up);
    if (!sent.empty()) {
      std::string out;
      EXPECT_EQ(shadow.on_frame(frame(complete("SAVEPOINT")), false, out), Action::Swallow);
      const Action a = shadow.on_frame(frame(ready(fixup_status)), false, out);
      EXPECT_EQ(a, fixup_status == 'T' ? Action::Swallow : Action::Fatal);
    }
    return sent;
  }
  // A statement executes: "" when it may, else the refusal's SQLSTATE. `after`: what the
  // session must send upstream behind the Execute.
  std::string exec(TxControl tx, bool simple = true, std::optional<Rewrite> parsed = {},
                   std::vector<std::string>* after = nullptr, bool unparsed = false) {
    StatementInfo info;
    info.tx = tx;
    info.tx_command = "SAVEPOINT";
    const bool emulated = tx == TxControl::Begin || tx == TxControl::Commit ||
                          tx == TxControl::Rollback;
    if (emulated && !parsed && !unparsed) parsed = shadow.rewrite_for(tx);
    std::string more;
    auto refused = shadow.on_execute(&info, parsed, simple, more);
    if (after) *after = show(more);
    return refused ? refused->error.sqlstate : "";
  }
  // One server message: "pass", "swallow", "fatal", or what the client gets instead.
  std::string server(const std::string& bytes) {
    std::string out;
    switch (shadow.on_frame(frame(bytes), false, out)) {
      case Action::Pass: return "pass";
      case Action::Swallow: return "swallow";
      case Action::Fatal: return "fatal";
      case Action::Replace: break;
    }
    std::string s;
    for (const auto& m : show(out)) s += (s.empty() ? "" : " ") + m;
    return s;
  }
  protocol::Frame frame(const std::string& bytes) {
    kept.push_back(bytes);
    protocol::Frame f;
    EXPECT_EQ(protocol::decode_typed(kept.back(), kMax, f), protocol::DecodeStatus::Ready);
    return f;
  }
  std::vector<std::string> kept;  // frames point into these
};

using Strings = std::vector<std::string>;
const std::string kOpen = "Q:SAVEPOINT airlock_shadow";
const std::string kNext = "Q:RELEASE SAVEPOINT airlock_shadow; SAVEPOINT airlock_shadow";
const std::string kUndo =
    "Q:ROLLBACK TO SAVEPOINT airlock_shadow; RELEASE SAVEPOINT airlock_shadow; "
    "SAVEPOINT airlock_shadow";

struct Case {
  const char* name;
  std::function<void(Driver&)> run;
};

const Case kCases[] = {
    {"autocommit_keeps_a_good_batch",
     [](Driver& d) {
       EXPECT_EQ(d.batch(), Strings{kOpen});
       EXPECT_EQ(d.exec(TxControl::None), "");
       EXPECT_EQ(d.server(complete("UPDATE 3")), "pass");
       EXPECT_EQ(d.server(ready('T')), "Z:I");
       EXPECT_EQ(d.batch(), Strings{kNext});
     }},
    {"autocommit_undoes_a_failed_batch",
     [](Driver& d) {
       d.batch();
       EXPECT_EQ(d.exec(TxControl::None), "");
       EXPECT_EQ(d.server(error("23505")), "pass");
       EXPECT_EQ(d.server(ready('E')), "Z:I");
       EXPECT_EQ(d.batch(), Strings{kUndo});
     }},
    {"begin_then_commit_as_queries",
     [](Driver& d) {
       d.batch();
       EXPECT_EQ(d.shadow.rewrite_for(TxControl::Begin), Rewrite::RollbackTo);
       EXPECT_EQ(d.exec(TxControl::Begin), "");
       EXPECT_EQ(d.server(complete("ROLLBACK")), "C:BEGIN");
       EXPECT_EQ(d.server(ready('T')), "Z:T");
       EXPECT_EQ(d.batch(), Strings{});  // inside the block: no fix-up
       EXPECT_EQ(d.exec(TxControl::None), "");
       d.server(complete("INSERT 0 1"));
       EXPECT_EQ(d.server(ready('T')), "Z:T");
       d.batch();
       EXPECT_EQ(d.shadow.rewrite_for(TxControl::Commit), Rewrite::Release);
       EXPECT_EQ(Shadow::sql_of(Rewrite::Release, true),
                 "RELEASE SAVEPOINT airlock_shadow; SAVEPOINT airlock_shadow");
       EXPECT_EQ(d.exec(TxControl::Commit), "");
       EXPECT_EQ(d.server(complete("RELEASE")), "C:COMMIT");
       EXPECT_EQ(d.server(complete("SAVEPOINT")), "swallow");
       EXPECT_EQ(d.server(ready('T')), "Z:I");
       EXPECT_EQ(d.batch(), Strings{kNext});
     }},
    {"commit_extended_reopens_the_frame_behind_the_execute",
     [](Driver& d) {
       d.batch();
       d.exec(TxControl::Begin);
       d.server(complete("ROLLBACK"));
       d.server(ready('T'));
       d.batch();
       Strings after;
       EXPECT_EQ(d.exec(TxControl::Commit, false, Rewrite::Release, &after), "");
       EXPECT_EQ(Shadow::sql_of(Rewrite::Release, false), "RELEASE SAVEPOINT airlock_shadow");
       // Close (statement, portal), Parse, Bind, Execute under Airlock's name
       EXPECT_EQ(after, (Strings{"C:Sairlock_shadow_00ff", "C:Pairlock_shadow_00ff",
                                 "P:SAVEPOINT airlock_shadow", "B", "E"}));
       EXPECT_EQ(d.server(complete("RELEASE")), "C:COMMIT");
       for (char t : {'3', '3', '1', '2'}) EXPECT_EQ(d.server(msg(t)), "swallow");
       EXPECT_EQ(d.server(complete("SAVEPOINT")), "swallow");
       // statements after the COMMIT in the same batch run in the new frame
       EXPECT_EQ(d.exec(TxControl::None), "");
       EXPECT_EQ(d.server(error("23505")), "pass");
       EXPECT_EQ(d.server(ready('E')), "Z:I");
       EXPECT_EQ(d.batch(), Strings{kUndo});
     }},
    {"failed_block_commit_answers_rollback",
     [](Driver& d) {
       d.batch();
       d.exec(TxControl::Begin);
       d.server(complete("ROLLBACK"));
       d.server(ready('T'));
       d.batch();
       d.exec(TxControl::None);
       d.server(error("22012"));
       EXPECT_EQ(d.server(ready('E')), "Z:E");
       EXPECT_EQ(d.batch(), Strings{});
       EXPECT_EQ(d.shadow.rewrite_for(TxControl::Commit), Rewrite::RollbackTo);
       EXPECT_EQ(d.exec(TxControl::Commit), "");
       EXPECT_EQ(d.server(complete("ROLLBACK")), "C:ROLLBACK");
       EXPECT_EQ(d.server(ready('T')), "Z:I");
       EXPECT_EQ(d.batch(), Strings{kNext});
     }},
    {"rollback_undoes_the_block",
     [](Driver& d) {
       d.batch();
       d.exec(TxControl::Begin);
       d.server(complete("ROLLBACK"));
       d.server(ready('T'));
       d.batch();
       EXPECT_EQ(d.exec(TxControl::Rollback), "");
       EXPECT_EQ(d.server(complete("ROLLBACK")), "C:ROLLBACK");
       EXPECT_EQ(d.server(ready('T')), "Z:I");
     }},
    {"commit_and_rollback_outside_a_block_warn",
     [](Driver& d) {
       d.batch();
       EXPECT_EQ(d.exec(TxControl::Commit), "");
       EXPECT_EQ(d.server(complete("ROLLBACK")), "N:25P01 C:COMMIT");
       EXPECT_EQ(d.server(ready('T')), "Z:I");
       d.batch();
       EXPECT_EQ(d.exec(TxControl::Rollback), "");
       EXPECT_EQ(d.server(complete("ROLLBACK")), "N:25P01 C:ROLLBACK");
     }},
    {"begin_inside_a_block_goes_as_it_is",
     [](Driver& d) {
       d.batch();
       d.exec(TxControl::Begin);
       d.server(complete("ROLLBACK"));
       d.server(ready('T'));
       d.batch();
       EXPECT_EQ(d.shadow.rewrite_for(TxControl::Begin), Rewrite::Forward);
       EXPECT_EQ(d.exec(TxControl::Begin), "");
       EXPECT_EQ(d.server(complete("BEGIN")), "pass");
       EXPECT_EQ(d.server(ready('T')), "Z:T");
     }},
    {"transaction_control_must_come_first",
     [](Driver& d) {
       d.batch();
       EXPECT_EQ(d.exec(TxControl::None, false), "");
       EXPECT_EQ(d.exec(TxControl::Begin, false), "0A000");
     }},
    {"statements_after_begin_run_in_the_block",
     [](Driver& d) {
       d.batch();
       EXPECT_EQ(d.exec(TxControl::Begin, false), "");
       EXPECT_EQ(d.exec(TxControl::NeedsBlock, false), "");
       EXPECT_EQ(d.server(complete("ROLLBACK")), "C:BEGIN");
       EXPECT_EQ(d.server(complete("SAVEPOINT")), "pass");
       EXPECT_EQ(d.server(ready('T')), "Z:T");
     }},
    {"savepoint_outside_a_block_is_refused",
     [](Driver& d) {
       d.batch();
       EXPECT_EQ(d.exec(TxControl::NeedsBlock), "25P01");
     }},
    {"prepared_in_another_state_is_refused",
     [](Driver& d) {
       d.batch();
       // COMMIT prepared inside a good block (RELEASE), executed outside one
       EXPECT_EQ(d.exec(TxControl::Commit, false, Rewrite::Release), "0A000");
       EXPECT_EQ(d.exec(TxControl::Commit, false, std::nullopt, nullptr, true), "0A000");
     }},
    {"prepared_rewrites_follow_their_statement",
     [](Driver& d) {
       d.shadow.on_parse("s1", Rewrite::Release);
       d.shadow.on_bind("p1", "s1");
       d.shadow.on_bind("p2", "other");
       EXPECT_EQ(d.shadow.portal_rewrite("p1"), Rewrite::Release);
       EXPECT_EQ(d.shadow.portal_rewrite("p2"), std::nullopt);
       d.shadow.on_parse("s1", std::nullopt);
       d.shadow.on_bind("p1", "s1");
       EXPECT_EQ(d.shadow.portal_rewrite("p1"), std::nullopt);
     }},
    {"a_failed_fixup_is_fatal",
     [](Driver& d) {
       std::string up;
       d.shadow.begin_batch(up);
       EXPECT_EQ(d.server(error("57014")), "fatal");
     }},
    {"a_lost_transaction_is_fatal",
     [](Driver& d) {
       d.batch();
       d.exec(TxControl::None);
       EXPECT_EQ(d.server(ready('I')), "fatal");
     }},
    {"a_failed_reopen_is_fatal",
     [](Driver& d) {
       d.batch();
       d.exec(TxControl::Begin);
       d.server(complete("ROLLBACK"));
       d.server(ready('T'));
       d.batch();
       d.exec(TxControl::Commit);
       EXPECT_EQ(d.server(complete("RELEASE")), "C:COMMIT");
       EXPECT_EQ(d.server(error("XX000")), "fatal");
     }},
};

class ShadowTest : public ::testing::TestWithParam<Case> {};

TEST_P(ShadowTest, Script) {
  Driver d;
  GetParam().run(d);
}

INSTANTIATE_TEST_SUITE_P(Cases, ShadowTest, ::testing::ValuesIn(kCases),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace airlock::proxy
