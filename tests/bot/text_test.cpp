#include "bot/domain/text.h"

#include <gtest/gtest.h>

#include "bot/domain/untrusted_json.h"
#include "integrations/slack/mrkdwn.h"

using namespace muster;

TEST(Text, SanitizeKeepsWordsAndDropsControls) {
    const std::string controls =
        std::string("a\x1b[2Jb") + '\x07' + "c" + '\x7f' + "d\xc2\x85" + "e";
    EXPECT_EQ(sanitize_text(controls, true), "a[2Jbcde");
    EXPECT_EQ(sanitize_text("one\r\ntwo\rthree\nfour\tfive", true), "one\ntwo\nthree\nfour five");
    EXPECT_EQ(sanitize_text("one\r\ntwo\nthree", false), "one two three");
    EXPECT_EQ(sanitize_text("bad \xff byte", false), "bad \xEF\xBF\xBD byte");
    // Right-to-left marks are text, not controls: kept (each output escapes for itself).
    EXPECT_EQ(sanitize_text("Zürich 🔥 決済 \xe2\x80\xae"
                            "rtl",
                            false),
              "Zürich 🔥 決済 \xe2\x80\xae"
              "rtl");
}

TEST(Text, EscapeControlsForTerminalsAndLogs) {
    EXPECT_EQ(escape_controls("line\n2026 error forged"), "line\\n2026 error forged");
    EXPECT_EQ(escape_controls("\x1b[31m\x07\r\t"), "\\x1b[31m\\x07\\r\\t");
    EXPECT_EQ(escape_controls("a\nb", true), "a\nb");
    EXPECT_EQ(escape_controls("\xc2\x9b"
                              "x"),
              "\\u009bx");
    EXPECT_EQ(escape_controls("bad\xff"), "bad\\xff");
    EXPECT_EQ(escape_controls("Zürich 🔥"), "Zürich 🔥");
}

TEST(Text, CutBeforeEscapingNeverEndsInsideAnEntity) {
    const std::string plain = std::string(247, 'a') + "R&D";
    // Escaped whole it is 254 characters; cut to 250 the cut falls before "&amp;", not in it.
    const std::string t = cut_and_escape(plain, 250, slack::escape_mrkdwn);
    EXPECT_LE(utf8_length(t), 250u);
    EXPECT_EQ(t.substr(t.size() - 4), "R…");
    EXPECT_EQ(t.find("&am…"), std::string::npos);
    EXPECT_EQ(cut_and_escape("a<b", 10, slack::escape_mrkdwn), "a&lt;b");
    const std::string amps(300, '&');
    const std::string cut = cut_and_escape(amps, 250, slack::escape_mrkdwn);
    EXPECT_LE(utf8_length(cut), 250u);
    EXPECT_EQ(cut.substr(cut.size() - 8), "&amp;…");
    EXPECT_EQ(cut_and_escape("🔥🔥🔥", 2, slack::escape_mrkdwn), "🔥…");
}

TEST(UntrustedJson, DepthIsLimitedAndReadsNeverThrow) {
    std::string error;
    EXPECT_TRUE(parse_untrusted_json(std::string(63, '[') + std::string(63, ']')));
    EXPECT_FALSE(parse_untrusted_json(std::string(65, '[') + std::string(65, ']'), &error));
    EXPECT_NE(error.find("deeper than 64"), std::string::npos) << error;
    EXPECT_FALSE(parse_untrusted_json(std::string(500'000, '['), &error));
    EXPECT_FALSE(parse_untrusted_json("{\"a\":", &error));
    EXPECT_FALSE(error.empty());
    EXPECT_FALSE(parse_untrusted_json("[1e400]"));  // a number nothing can hold: refused
    const auto j = *parse_untrusted_json(R"({"s":"x","n":5,"b":true,"o":{},"a":[]})");
    EXPECT_EQ(json_string(j, "s"), "x");
    EXPECT_EQ(json_string(j, "n"), "");
    EXPECT_EQ(json_string(nlohmann::json(5), "s"), "");
    EXPECT_EQ(json_int(j, "n"), 5);
    EXPECT_FALSE(json_int(j, "s"));
    EXPECT_TRUE(json_bool(j, "b", false));
    EXPECT_TRUE(json_bool(j, "n", true));
    EXPECT_TRUE(json_object(j, "o"));
    EXPECT_FALSE(json_object(j, "a"));
    EXPECT_TRUE(json_array(j, "a"));
}
