// publish-lag: 1,000 approved posts due within the same second, fake X without limits: how
// late each POST /2/tweets reaches X after its post was due (fakeX.requests[].at minus
// scheduledAt). The runner (createPublishRunner, production settings) and the fake X both run
// in this process, so the fake's work shares the runner's thread. Goal: p99 under 1 s.
import { setTimeout as delay } from "node:timers/promises";
import { createPrismaClient } from "../src/db/client.ts";
import { composePostText } from "../src/domain/content-policy.ts";
import { startFakeX } from "../tests/support/fake-x/server.ts";
import { events } from "../tests/support/publishing-harness.ts";
import { insertApprovedPosts } from "../tests/support/seed-database.ts";
import { figuresOf, quantile } from "./figures.ts";
import { benchRunner, createBenchDatabase, postText, X_ACCOUNT } from "./setup.ts";

const POSTS = 1_000;
const TIMEOUT_MS = 120_000;
/** Room to start the runner and arm its timer before the first post is due. */
const LEAD_MS = 3_000;
const figure = figuresOf("publish-lag");

const db = await createBenchDatabase();
const fakeX = await startFakeX({ accounts: [X_ACCOUNT] });
const prisma = createPrismaClient(db.url);
try {
  // Every post due at a random millisecond of one whole second, a few seconds ahead.
  const second = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
  const seeds = Array.from({ length: POSTS }, (_, i) => ({
    ...postText(i),
    scheduledAt: new Date(second + Math.floor(Math.random() * 1000)),
  }));
  insertApprovedPosts(db.file, db, seeds);
  await prisma.$connect();
  const runner = benchRunner(prisma, fakeX);
  const done = events(runner, "post.published", POSTS, TIMEOUT_MS);
  await runner.start();
  if (Date.now() >= second) throw new Error("the runner started after the posts were due");
  await done;
  await runner.stop();
  await delay(0);

  // The tracked link carries the post id, so the sent text names its post.
  const rows = await prisma.post.findMany({ include: { affiliateLink: true } });
  const dueAt = new Map(
    rows.map((row) => [
      composePostText(row.text, row.affiliateLink?.trackedUrl ?? null),
      row.scheduledAt.getTime(),
    ]),
  );
  const lags: number[] = [];
  for (const request of fakeX.requests) {
    if (request.route !== "POST /2/tweets") continue;
    const due = dueAt.get((request.body as { text: string }).text);
    if (due === undefined) throw new Error("fake X received a text no post has");
    lags.push(request.at - due);
  }
  if (lags.length !== POSTS) throw new Error(`${lags.length} requests for ${POSTS} posts`);
  const arrivals = fakeX.requests.filter((r) => r.route === "POST /2/tweets").map((r) => r.at);
  figure("posts", POSTS, "posts");
  figure("lag_p50", quantile(lags, 0.5), "ms");
  figure("lag_p99", quantile(lags, 0.99), "ms", "< 1000 ms");
  figure("lag_max", Math.max(...lags), "ms");
  figure("lag_first_post", Math.min(...lags), "ms");
  // The last request's arrival minus the end of the second: the backlog the runner drained.
  figure("last_request_after_due_second", Math.max(...arrivals) - (second + 1000), "ms");
  figure("drain_rate", POSTS / ((Math.max(...arrivals) - Math.min(...arrivals)) / 1000), "posts/s");
} finally {
  await prisma.$disconnect();
  await fakeX.close();
  db.remove();
}
