#include "integrations/slack/form.h"

#include <gtest/gtest.h>

using namespace muster;

TEST(Form, DecodesSlackBodies) {
    const auto f =
        parse_form("command=%2Fincident&text=declare+P1+caf%C3%A9+%F0%9F%94%A5&empty=&flag");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->at("command"), "/incident");
    EXPECT_EQ(f->at("text"), "declare P1 café 🔥");
    EXPECT_EQ(f->at("empty"), "");
    EXPECT_EQ(f->at("flag"), "");
}

TEST(Form, MalformedEscapesAreRejected) {
    EXPECT_FALSE(parse_form("text=%"));
    EXPECT_FALSE(parse_form("text=%4"));
    EXPECT_FALSE(parse_form("text=%zz"));
    EXPECT_TRUE(parse_form(""));
    EXPECT_TRUE(parse_form("&&a=1&&"));
}

TEST(Form, EncodeRoundTrips) {
    const std::string s = "a b&c=d/é🔥%";
    EXPECT_EQ(url_decode(url_encode(s)), s);
    EXPECT_EQ(url_encode("a b"), "a%20b");
}
