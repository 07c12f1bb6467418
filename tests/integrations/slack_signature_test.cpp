#include <gtest/gtest.h>

#include "integrations/hmac.h"
#include "integrations/slack/mrkdwn.h"
#include "integrations/slack/signature.h"

using namespace muster;

namespace {
// PROTOCOLS.md §2 test vector (Slack's documentation).
const std::string kSecret = "8f742231b10e8888abcd99yyyzzz85a5";
const std::string kTimestamp = "1531420618";
const std::string kBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
    "channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
    "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%"
    "2F96rGlfmibIGlgcZRskXaIFfN&"
    "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const std::string kExpected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const EpochMs kThen = 1531420618LL * 1000;
}  // namespace

TEST(SlackSignature, MatchesTheDocumentedVector) {
    EXPECT_EQ(slack::sign(kSecret, kTimestamp, kBody), kExpected);
    EXPECT_EQ(slack::verify(kSecret, kTimestamp, kExpected, kBody, kThen),
              slack::SignatureCheck::ok);
}

TEST(SlackSignature, WindowIsFiveMinutesEitherWay) {
    EXPECT_EQ(slack::verify(kSecret, kTimestamp, kExpected, kBody, kThen + 300'000),
              slack::SignatureCheck::ok);
    EXPECT_EQ(slack::verify(kSecret, kTimestamp, kExpected, kBody, kThen + 301'000),
              slack::SignatureCheck::stale);
    EXPECT_EQ(slack::verify(kSecret, kTimestamp, kExpected, kBody, kThen - 301'000),
              slack::SignatureCheck::stale);
}

TEST(SlackSignature, RejectsEveryKindOfWrong) {
    using C = slack::SignatureCheck;
    EXPECT_EQ(slack::verify(kSecret, kTimestamp, kExpected, kBody + "x", kThen), C::mismatch);
    EXPECT_EQ(slack::verify(kSecret + "x", kTimestamp, kExpected, kBody, kThen), C::mismatch);
    std::string upper = kExpected;
    upper[5] = 'A';
    EXPECT_EQ(slack::verify(kSecret, kTimestamp, upper, kBody, kThen), C::mismatch);
    EXPECT_EQ(slack::verify(kSecret, kTimestamp, kExpected.substr(3), kBody, kThen), C::mismatch);
    EXPECT_EQ(slack::verify(kSecret, "", kExpected, kBody, kThen), C::missing);
    EXPECT_EQ(slack::verify(kSecret, kTimestamp, "", kBody, kThen), C::missing);
    EXPECT_EQ(slack::verify(kSecret, "15314206l8", kExpected, kBody, kThen), C::stale);
    EXPECT_EQ(slack::verify(kSecret, "99999999999999999999", kExpected, kBody, kThen), C::stale);
    EXPECT_EQ(slack::verify("", kTimestamp, kExpected, kBody, kThen), C::not_configured);
}

TEST(Hmac, ConstantTimeEquals) {
    EXPECT_TRUE(constant_time_equals("abc", "abc"));
    EXPECT_FALSE(constant_time_equals("abc", "abd"));
    EXPECT_FALSE(constant_time_equals("abc", "abcd"));
    EXPECT_TRUE(constant_time_equals("", ""));
}

TEST(Mrkdwn, EscapesControlCharacters) {
    EXPECT_EQ(slack::escape_mrkdwn("<!channel> & <https://evil|click>"),
              "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;");
    EXPECT_EQ(slack::escape_mrkdwn("plain *bold* `code`"), "plain *bold* `code`");
}

// RFC 4231 test cases 1 and 2, and an empty key (HMAC pads it to the block size; OpenSSL must
// accept it rather than fail the signature check of an unconfigured secret with an exception).
TEST(HmacSha256, MatchesRfc4231AndTakesAnEmptyKey) {
    EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(hmac_sha256_hex("", ""),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
