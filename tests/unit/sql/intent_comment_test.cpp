// Reading the intent from a statement's comments (sql/intent_comment.hpp): only a comment
// states one, never a literal, a dollar-quoted body or a quoted identifier that looks like
// one. Each row: the SQL and the intent expected ("" = none).
#include "sql/intent_comment.hpp"

#include <gtest/gtest.h>

#include <string>

namespace airlock::sql {
namespace {

struct IntentCase {
  const char* name;
  std::string sql;
  std::string expected;
};

class CommentIntent : public testing::TestWithParam<IntentCase> {};

TEST_P(CommentIntent, Table) { EXPECT_EQ(comment_intent(GetParam().sql), GetParam().expected); }

const std::string kLong(300, 'x');

INSTANTIATE_TEST_SUITE_P(
    Table, CommentIntent,
    testing::Values(
        // --- the forms
        IntentCase{"block_comment_first",
                   "/* airlock: intent=\"refund for ticket 4411\" */ UPDATE t SET a = 1",
                   "refund for ticket 4411"},
        IntentCase{"block_comment_last",
                   "UPDATE t SET a = 1 /* airlock: intent=\"refund\" */", "refund"},
        IntentCase{"block_comment_between_tokens",
                   "UPDATE t /* airlock: intent=\"refund\" */ SET a = 1", "refund"},
        IntentCase{"no_spaces", "/*airlock:intent=\"refund\"*/ SELECT 1", "refund"},
        IntentCase{"spaces_around_equals", "/* airlock:  intent = \"refund\" */ SELECT 1",
                   "refund"},
        IntentCase{"line_comment", "UPDATE t SET a = 1 -- airlock: intent=\"refund\"\n",
                   "refund"},
        IntentCase{"line_comment_at_end_of_text", "UPDATE t SET a = 1 -- airlock: intent=\"r\"",
                   "r"},
        IntentCase{"text_after_the_value_ignored",
                   "/* airlock: intent=\"refund\" ticket=4411 */ SELECT 1", "refund"},
        // --- not a comment: literals, dollar quotes, identifiers
        IntentCase{"inside_string_literal", "SELECT '/* airlock: intent=\"x\" */'", ""},
        IntentCase{"inside_string_with_doubled_quote",
                   "SELECT 'it''s /* airlock: intent=\"x\" */'", ""},
        IntentCase{"line_comment_inside_string", "SELECT '-- airlock: intent=\"x\"'", ""},
        IntentCase{"inside_dollar_quote", "SELECT $$ /* airlock: intent=\"x\" */ $$", ""},
        IntentCase{"inside_tagged_dollar_quote",
                   "DO $body$ BEGIN /* airlock: intent=\"x\" */ END $body$", ""},
        IntentCase{"dollar_quote_holding_another_tag",
                   "SELECT $a$ $$ /* airlock: intent=\"x\" */ $$ $a$", ""},
        IntentCase{"inside_e_string_with_escaped_quote",
                   "SELECT E'\\' /* airlock: intent=\"x\" */ '", ""},
        IntentCase{"e_string_then_real_comment",
                   "SELECT E'a\\'b' /* airlock: intent=\"real\" */", "real"},
        // Without E the backslash escapes nothing: the string ends at the second quote.
        IntentCase{"standard_string_backslash_then_comment",
                   "SELECT 'a\\' /* airlock: intent=\"real\" */", "real"},
        IntentCase{"inside_quoted_identifier",
                   "SELECT 1 AS \"/* airlock: intent=\"\"x\"\" */\"", ""},
        IntentCase{"inside_unterminated_string", "SELECT 'abc /* airlock: intent=\"x\" */", ""},
        IntentCase{"identifier_with_dollar_is_no_quote",
                   "SELECT a$b$ /* airlock: intent=\"real\" */, $b$", "real"},
        // --- comments inside comments
        IntentCase{"inside_line_comment_block_form_is_text",
                   "SELECT 1 -- note /* airlock: intent=\"x\" */\n", ""},
        IntentCase{"nested_inside_other_comment",
                   "/* note /* airlock: intent=\"x\" */ still the outer one */ SELECT 1", ""},
        IntentCase{"nested_comment_after_the_value",
                   "/* airlock: intent=\"refund\" /* nested */ */ SELECT 1", "refund"},
        IntentCase{"nested_comment_then_real_one",
                   "/* a /* b */ c */ SELECT 1 /* airlock: intent=\"after\" */", "after"},
        // --- the value
        IntentCase{"escaped_quotes_in_value",
                   "/* airlock: intent=\"say \\\"hi\\\" to \\\\ them\" */ SELECT 1",
                   "say \"hi\" to \\ them"},
        IntentCase{"other_backslash_kept", "/* airlock: intent=\"a\\nb\" */ SELECT 1", "a\\nb"},
        IntentCase{"too_long_cut", "/* airlock: intent=\"" + kLong + "\" */ SELECT 1",
                   std::string(200, 'x')},
        IntentCase{"invalid_utf8_replaced", "/* airlock: intent=\"caf\xE9\" */ SELECT 1",
                   "caf\xEF\xBF\xBD"},
        IntentCase{"control_characters_become_spaces",
                   "/* airlock: intent=\"a\x1b[2Jb\" */ SELECT 1", "a [2Jb"},
        IntentCase{"empty_value", "/* airlock: intent=\"\" */ SELECT 1", ""},
        IntentCase{"only_spaces", "/* airlock: intent=\"   \" */ SELECT 1", ""},
        // --- not the form
        IntentCase{"unquoted_value", "/* airlock: intent=refund */ SELECT 1", ""},
        IntentCase{"single_quoted_value", "/* airlock: intent='refund' */ SELECT 1", ""},
        IntentCase{"unterminated_value", "/* airlock: intent=\"refund */ SELECT 1", ""},
        IntentCase{"upper_case_marker", "/* AIRLOCK: intent=\"x\" */ SELECT 1", ""},
        IntentCase{"other_key", "/* airlock: reason=\"x\" */ SELECT 1", ""},
        IntentCase{"marker_not_first", "/* see airlock: intent=\"x\" */ SELECT 1", ""},
        IntentCase{"unterminated_comment", "SELECT 1 /* airlock: intent=\"x\"", "x"},
        IntentCase{"no_marker", "SELECT 1 /* a comment */", ""},
        IntentCase{"marker_in_identifier", "SELECT airlock: FROM t", ""},
        // --- several
        IntentCase{"first_of_two_wins",
                   "/* airlock: intent=\"first\" */ SELECT 1 /* airlock: intent=\"second\" */",
                   "first"},
        IntentCase{"malformed_then_valid",
                   "/* airlock: intent=x */ SELECT 1 /* airlock: intent=\"valid\" */", "valid"},
        IntentCase{"multiple_statements_one_intent",
                   "SELECT 1; UPDATE t SET a = 2 /* airlock: intent=\"batch\" */; SELECT 3",
                   "batch"},
        IntentCase{"multiple_statements_literal_only",
                   "SELECT 'airlock: intent=\"x\"'; SELECT '/* airlock: intent=\"y\" */'", "",}),
    [](const testing::TestParamInfo<IntentCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace airlock::sql
