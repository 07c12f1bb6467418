// The peer of bench/declare_bench.sh: @slack/bolt's own HTTP receiver verifies the signature and
// the app only acknowledges the command. Nothing is stored: the figure every durable declaration
// is compared with.
const { App, LogLevel } = require('@slack/bolt');

const app = new App({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  // A fixed identity, so nothing calls out (no auth.test): verify and acknowledge only.
  authorize: async () => ({ botToken: 'xoxb-bench', botId: 'B0BENCH', botUserId: 'U0BOT' }),
  logLevel: LogLevel.ERROR,
  endpoints: '/slack/commands',
});

app.command('/incident', async ({ ack }) => {
  await ack();
});

(async () => {
  const port = Number(process.env.PORT || 3000);
  await app.start(port);
  console.log(`listening on ${port}`);
})();
