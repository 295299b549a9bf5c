// A runner that stalls past its lease (SIGSTOP, as a long GC pause would) while its X call is in
// flight, on a PostgreSQL database another runner shares (design.md section 4: leases carry the
// runner's id; only the holder renews or settles them).
import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeXProcess, startFakeXProcess } from "../support/fake-x/process.ts";
import {
  createPostgresSchema,
  noticePostgresSkipped,
  type PostgresSchema,
  testPostgresUrl,
} from "../support/postgres.ts";
import { type RunnerChild, startRunner, waitFor } from "../support/runner-child.ts";
import { insertApprovedPostsPostgres, seedCampaign } from "../support/seed-database.ts";

const X_ACCOUNT = { userId: "1790000000000000100", username: "desk_deals", accessToken: "token-d" };
const SECRET_KEY = Buffer.alloc(32, 8);
/** Short, so the second runner takes the stalled one's post over within seconds. */
const LEASE_MS = 1_500;
/** X takes the post at once and answers this late: past the lease, inside the 20 s timeout. */
const X_ANSWER_MS = 3_000;
/** The survivor's look at the timeline answers after the stalled runner got X's answer. */
const TIMELINE_ANSWER_MS = 6_000;

const pgUrl = testPostgresUrl();
if (pgUrl === undefined) noticePostgresSkipped("stalled-runner.test.ts");

describe.runIf(pgUrl !== undefined)("a runner stalled past its lease", () => {
  let schema: PostgresSchema;
  let db: pg.Client;
  let fake: FakeXProcess;
  let runners: RunnerChild[] = [];

  beforeEach(async () => {
    schema = await createPostgresSchema(pgUrl ?? "", "stalled");
    db = await schema.client();
    fake = await startFakeXProcess({ accounts: [X_ACCOUNT] });
  }, 60_000);

  afterEach(async () => {
    for (const runner of runners) {
      if (runner.child.exitCode === null && runner.child.signalCode === null) {
        runner.child.kill("SIGCONT");
        runner.child.kill("SIGKILL");
        await runner.exited;
      }
    }
    runners = [];
    await fake?.stop();
    await schema?.drop();
  });

  function startOne(): RunnerChild {
    const runner = startRunner({
      DATABASE_URL: schema.url,
      X_API_BASE: fake.url,
      HERALD_SECRET_KEY: SECRET_KEY.toString("base64"),
      NODE_EXTRA_CA_CERTS: fake.caFile,
      LOG_LEVEL: "info",
      LEASE_MS: String(LEASE_MS),
    });
    runners.push(runner);
    return runner;
  }

  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n);

  it("given a runner SIGSTOPped while X holds its post's answer, after SIGCONT it neither renews nor records the post the other runner took over, which records it from X's timeline: one POST, one published notice", async () => {
    const campaign = await seedCampaign(schema.url, SECRET_KEY, X_ACCOUNT);
    const [postId] = await insertApprovedPostsPostgres(db, campaign, [
      { text: "The desk lamp we keep coming back to", scheduledAt: new Date() },
    ]);
    await fake.control.fail("POST /2/tweets", { kind: "slow", ms: X_ANSWER_MS });

    const stalled = startOne();
    await stalled.started;
    const creates = () => fake.control.requestCount("POST /2/tweets");
    expect(await waitFor(creates, 1, 30_000)).toBe(1);
    stalled.child.kill("SIGSTOP");

    // The other instance starts while the first is stopped and takes the post over once the
    // lease has ended. Its look at the timeline is slow, so the post is still its own, in
    // publishing, when the stalled runner wakes with X's answer.
    await fake.control.fail("GET /2/users/:id/tweets", { kind: "slow", ms: TIMELINE_ANSWER_MS });
    const survivor = startOne();
    const { runner: survivorId } = await survivor.started;
    const timelineLooks = () => fake.control.requestCount("GET /2/users/:id/tweets");
    expect(await waitFor(timelineLooks, 1, 60_000, 50)).toBe(1);
    const owner = await db.query<{ leaseOwner: string; status: string }>(
      `SELECT "leaseOwner", status FROM "Post" WHERE id = $1`,
      [postId],
    );
    expect(owner.rows).toEqual([{ leaseOwner: survivorId, status: "publishing" }]);

    stalled.child.kill("SIGCONT");
    expect(await stalled.logged("lease lost", 30_000)).toMatchObject({ postId });
    const published = () =>
      count(`SELECT count(*) AS n FROM "Post" WHERE status = 'published' AND "leaseOwner" IS NULL`);
    expect(await waitFor(published, 1, 60_000, 50)).toBe(1);

    expect(await creates()).toBe(1);
    const [onX] = await fake.control.posts();
    const { rows } = await db.query<{ xPostId: string }>(
      `SELECT "xPostId" FROM "Post" WHERE id = $1`,
      [postId],
    );
    expect(rows).toEqual([{ xPostId: onX?.id }]);
    expect(
      await count(`SELECT count(*) AS n FROM "OutboxMessage" WHERE kind = 'post.published'`),
    ).toBe(1);
    // Recorded by the survivor, from the timeline; the stalled runner recorded nothing.
    const records = await db.query<{ payload: string }>(
      `SELECT payload FROM "AuditEvent" WHERE action = 'post.publish_succeeded'`,
    );
    expect(records.rows.map((row) => JSON.parse(row.payload))).toMatchObject([
      { recovered: true, xPostId: onX?.id },
    ]);
    expect(stalled.errors).toEqual([]);
    expect(survivor.errors).toEqual([]);
  }, 120_000);
});
