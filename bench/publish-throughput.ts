// publish-throughput: posts per second through claim → X → record, on SQLite. 2,000 approved
// posts due now; the runner (createPublishRunner, production settings) in this process, the
// fake X in its own process, as X is elsewhere in production. Goal: at least 500 posts/s.
// Then a breakdown: the runner's steps one at a time (sequential, averaged), to show where a
// post's time goes; the claim and the record once more in batches of 16, as the runner makes
// them under load; and the claim transaction on better-sqlite3 without Prisma.
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { createPrismaClient } from "../src/db/client.ts";
import { PrismaPostRepository } from "../src/db/post-repository.ts";
import { PrismaPublishQueue } from "../src/db/publish-queue.ts";
import { PrismaXAccountRepository } from "../src/db/x-account-repository.ts";
import { chunks } from "../src/domain/chunks.ts";
import { composePostText } from "../src/domain/content-policy.ts";
import type { PostMove } from "../src/domain/ports.ts";
import { systemClock } from "../src/domain/ports.ts";
import type { Post } from "../src/domain/posts.ts";
import type { PublishAccount } from "../src/domain/publishing.ts";
import { SecretBox } from "../src/domain/secrets.ts";
import { XPublisher } from "../src/x/x-publisher.ts";
import { startFakeXProcess } from "../tests/support/fake-x/process.ts";
import { events } from "../tests/support/publishing-harness.ts";
import { insertApprovedPosts, sqliteDate } from "../tests/support/seed-database.ts";
import { figuresOf } from "./figures.ts";
import { benchRunner, createBenchDatabase, postText, SECRET_KEY, X_ACCOUNT } from "./setup.ts";

const POSTS = 2_000;
const TIMEOUT_MS = 120_000;
const figure = figuresOf("publish-throughput");

const db = await createBenchDatabase();
const fake = await startFakeXProcess({ accounts: [X_ACCOUNT] });
const agent = new Agent({ ca: readFileSync(fake.caFile, "utf8"), keepAlive: true });
const prisma = createPrismaClient(db.url);
try {
  const now = new Date();
  insertApprovedPosts(
    db.file,
    db,
    Array.from({ length: POSTS }, (_, i) => ({ ...postText(i), scheduledAt: now })),
  );
  await prisma.$connect();
  const runner = benchRunner(prisma, { url: fake.url, agent });
  let other = 0;
  for (const event of ["post.failed", "post.retrying", "post.missed"] as const) {
    runner.on(event, () => {
      other += 1;
    });
  }
  const startedAt = performance.now();
  const loopBefore = performance.eventLoopUtilization();
  const done = events(runner, "post.published", POSTS, TIMEOUT_MS).then(() => performance.now());
  await runner.start();
  const finishedAt = await done;
  const loop = performance.eventLoopUtilization(loopBefore);
  await runner.stop();
  const seconds = (finishedAt - startedAt) / 1000;
  const onX = (await fake.control.posts()).length;
  if (onX !== POSTS || other !== 0) {
    throw new Error(`fake X holds ${onX} posts, ${other} failed/retried/missed events`);
  }
  figure("posts", POSTS, "posts");
  figure("duration", seconds * 1000, "ms");
  figure("throughput", POSTS / seconds, "posts/s", ">= 500 posts/s");
  // Near 1: the runner's one thread is busy the whole run (CPU-bound, not waiting on X).
  figure("event_loop_utilisation", loop.utilization, "ratio");
  await breakdown(fake.url, agent);
} finally {
  await prisma.$disconnect();
  agent.destroy();
  await fake.stop();
  db.remove();
}

/** Each step of a publish, timed alone: average ms over `STEP_RUNS` sequential calls. */
async function breakdown(apiBase: string, agent: Agent): Promise<void> {
  const STEP_RUNS = 320;
  const STEP_BATCH = 16;
  const step = await createBenchDatabase();
  const client = createPrismaClient(step.url);
  try {
    const now = new Date();
    const ids = insertApprovedPosts(
      step.file,
      step,
      Array.from({ length: 3 * STEP_RUNS }, (_, i) => ({ ...postText(i), scheduledAt: now })),
    );
    const prismaIds = ids.slice(0, STEP_RUNS);
    const batchedIds = chunks(ids.slice(STEP_RUNS, 2 * STEP_RUNS), STEP_BATCH);
    const rawIds = ids.slice(2 * STEP_RUNS);
    await client.$connect();
    const posts = new PrismaPostRepository(client);
    const queue = new PrismaPublishQueue(client);
    const accounts = new PrismaXAccountRepository(client, new SecretBox({ current: SECRET_KEY }));
    const publisher = new XPublisher({
      apiBase: new URL(apiBase),
      timeoutMs: 20_000,
      httpAgent: agent,
      clock: systemClock,
    });
    const lease = new Date(now.getTime() + 30_000);
    const timed = async <T>(runs: T[], work: (item: T) => Promise<unknown>) => {
      const started = performance.now();
      for (const item of runs) await work(item);
      return (performance.now() - started) / runs.length;
    };

    const dueMs = await timed(Array.from({ length: 20 }), () => queue.due(now, 200, []));
    const claimed: Post[] = [];
    const claimMs = await timed(prismaIds, async (id) => {
      claimed.push(...(await posts.claim([id], now, lease, "bench")));
    });
    const claimedInBatches: Post[][] = [];
    const batchClaimMs =
      (await timed(batchedIds, async (batch) => {
        claimedInBatches.push(await posts.claim(batch, now, lease, "bench"));
      })) / STEP_BATCH;
    let account: PublishAccount | undefined;
    const accountMs = await timed(prismaIds, async () => {
      const found = await accounts.findById(step.xAccountId);
      if (found === null) throw new Error("bench account missing");
      account = {
        id: found.id,
        xUserId: found.xUserId,
        credentials: await accounts.credentialsOf(step.xAccountId),
      };
    });
    if (account === undefined) throw new Error("bench account missing");
    const from = account;
    const xIds = new Map<number, string>();
    const xMs = await timed(claimed, async (post) => {
      const outcome = await publisher.publish({
        account: from,
        text: composePostText(post.text, post.affiliateLink?.trackedUrl ?? null),
        media: [],
        sensitive: false,
        paidPartnership: false,
      });
      if (outcome.kind !== "published") throw new Error(`X answered ${outcome.kind}`);
      xIds.set(post.id, outcome.xPostId);
    });
    const published = (post: Post): PostMove => ({
      id: post.id,
      from: "publishing",
      changes: {
        status: "published",
        xPostId: xIds.get(post.id) ?? `${post.id}`,
        publishedAt: new Date(),
        costUsd: 0.2,
        leaseUntil: null,
        nextAttemptAt: null,
        lastError: null,
      },
      audit: { actor: "scheduler", action: "post.publish_succeeded", payload: {} },
    });
    const recordMs = await timed(claimed, (post) => posts.transitionAll([published(post)]));
    const batchRecordMs =
      (await timed(claimedInBatches, (batch) => posts.transitionAll(batch.map(published)))) /
      STEP_BATCH;
    const rawClaimMs = rawClaimTransaction(step.file, rawIds, now, lease);

    figure("step_due_query_200", dueMs, "ms");
    figure("step_claim_transaction", claimMs, "ms");
    figure("step_account_and_credentials", accountMs, "ms");
    figure("step_x_request", xMs, "ms");
    figure("step_record_published_transaction", recordMs, "ms");
    figure(`step_claim_in_batches_of_${STEP_BATCH}_per_post`, batchClaimMs, "ms");
    figure(`step_record_in_batches_of_${STEP_BATCH}_per_post`, batchRecordMs, "ms");
    figure("step_claim_transaction_without_prisma", rawClaimMs, "ms");
    figure("steps_per_post_total", dueMs / 200 + claimMs + accountMs + xMs + recordMs, "ms");
  } finally {
    await client.$disconnect();
    step.remove();
  }
}

/** The claim transaction's statements on better-sqlite3 directly: what Prisma adds on top. */
function rawClaimTransaction(file: string, ids: number[], now: Date, lease: Date): number {
  const sqlite = new Database(file, { timeout: 5000 });
  try {
    const update = sqlite.prepare(
      `UPDATE "Post" SET status = 'publishing', leaseUntil = ?, attempts = attempts + 1, updatedAt = ?
       WHERE id = ? AND status = 'approved' AND scheduledAt <= ?`,
    );
    const read = sqlite.prepare(
      `SELECT p.*, l.trackedUrl, c.guildId FROM "Post" p LEFT JOIN "AffiliateLink" l ON l.id = p.affiliateLinkId
       JOIN "Campaign" c ON c.id = p.campaignId WHERE p.id = ?`,
    );
    const audit = sqlite.prepare(
      `INSERT INTO "AuditEvent" (guildId, actor, action, targetType, targetId, payload, createdAt)
       VALUES (?, 'scheduler', 'post.claim', 'post', ?, ?, ?)`,
    );
    const claim = sqlite.transaction((id: number) => {
      const { changes } = update.run(
        sqliteDate(lease),
        sqliteDate(new Date()),
        id,
        sqliteDate(now),
      );
      if (changes === 0) return null;
      const row = read.get(id) as { guildId: string; attempts: number };
      audit.run(
        row.guildId,
        String(id),
        JSON.stringify({ attempt: row.attempts }),
        sqliteDate(new Date()),
      );
      return row;
    });
    const started = performance.now();
    for (const id of ids) claim(id);
    return (performance.now() - started) / ids.length;
  } finally {
    sqlite.close();
  }
}
