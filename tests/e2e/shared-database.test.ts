// Several Herald instances on one PostgreSQL database (design.md sections 4 and 10): runner
// processes wired exactly as the service wires them, against one fake X in another process.
import type pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { composePostText } from "../../src/domain/content-policy.ts";
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
const POSTS = 1_000;
/** Short, so the survivor of a SIGKILL takes the dead runner's posts over within seconds. */
const LEASE_MS = 2_000;

const pgUrl = testPostgresUrl();
if (pgUrl === undefined) noticePostgresSkipped("shared-database.test.ts");

describe.runIf(pgUrl !== undefined)("runner processes sharing one PostgreSQL database", () => {
  let schema: PostgresSchema;
  let db: pg.Client;
  let fake: FakeXProcess;
  let runners: RunnerChild[] = [];

  beforeEach(async () => {
    schema = await createPostgresSchema(pgUrl ?? "", "shared");
    db = await schema.client();
    const campaign = await seedCampaign(schema.url, SECRET_KEY, X_ACCOUNT);
    const now = new Date();
    await insertApprovedPostsPostgres(
      db,
      campaign,
      Array.from({ length: POSTS }, (_, i) => ({
        text: `Deal ${i + 1}: the desk gadget we use every day`,
        scheduledAt: now,
        // Every third post carries an affiliate link, which X replaces with a t.co link.
        ...(i % 3 === 0 ? { link: `https://shop.example.com/p/${1000 + i}?ref=desk` } : {}),
      })),
    );
    fake = await startFakeXProcess({ accounts: [X_ACCOUNT] });
  }, 60_000);

  afterEach(async () => {
    for (const runner of runners) {
      if (runner.child.exitCode === null && runner.child.signalCode === null) {
        runner.child.kill("SIGKILL");
        await runner.exited;
      }
    }
    runners = [];
    await fake?.stop();
    await schema?.drop();
  });

  function startRunners(count: number): RunnerChild[] {
    const env = {
      DATABASE_URL: schema.url,
      X_API_BASE: fake.url,
      HERALD_SECRET_KEY: SECRET_KEY.toString("base64"),
      NODE_EXTRA_CA_CERTS: fake.caFile,
      LOG_LEVEL: "warn",
      LEASE_MS: String(LEASE_MS),
    };
    runners = Array.from({ length: count }, () => startRunner(env));
    return runners;
  }

  /**
   * How long the runners get to finish every post. Generous: on a loaded 2-core CI machine an X
   * request can time out (20 s) and its retries back off, so this is a hang guard, not a speed goal.
   */
  const FINISH_WITHIN_MS = 240_000;

  const finished = async () => {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "Post" WHERE status NOT IN ('approved', 'publishing')`,
    );
    return Number(rows[0]?.n);
  };

  async function stopAll(): Promise<number[]> {
    const lines = await Promise.all(
      runners
        .filter((r) => r.child.exitCode === null && r.child.signalCode === null)
        .map((r) => {
          r.child.kill("SIGTERM");
          return r.stopped;
        }),
    );
    return lines.map((line) => Number(line?.published));
  }

  /** Fails naming the posts still approved or publishing, with their audit trail. */
  async function expectAllFinished(): Promise<void> {
    if ((await waitFor(finished, POSTS, FINISH_WITHIN_MS, 50)) === POSTS) return;
    const stuck = await db.query(
      `SELECT id, status, attempts, "leaseUntil", "nextAttemptAt", "lastError" FROM "Post"
        WHERE status IN ('approved', 'publishing')`,
    );
    const audit = await db.query(
      `SELECT action, "targetId", payload, "createdAt" FROM "AuditEvent"
        WHERE "targetType" = 'post' AND "targetId" = ANY($1) ORDER BY id`,
      [stuck.rows.map((row: { id: number }) => String(row.id))],
    );
    expect.fail(
      `${stuck.rows.length} post(s) unfinished after ${FINISH_WITHIN_MS} ms: ${JSON.stringify(stuck.rows)}; audit: ${JSON.stringify(audit.rows)}`,
    );
  }

  /** Every post published once on X, with the X id the database records; no POST repeated. */
  async function expectExactlyOnce(): Promise<void> {
    const { rows } = await db.query<{
      text: string;
      status: string;
      xPostId: string | null;
      trackedUrl: string | null;
      lastError: string | null;
    }>(
      `SELECT p.text, p.status, p."xPostId", l."trackedUrl", p."lastError"
         FROM "Post" p LEFT JOIN "AffiliateLink" l ON l.id = p."affiliateLinkId"`,
    );
    expect(rows.filter((row) => row.status !== "published")).toEqual([]);
    const onX = await fake.control.posts();
    expect(onX).toHaveLength(POSTS);
    const xIdByText = new Map(onX.map((post) => [post.text, post.id]));
    expect(xIdByText.size).toBe(POSTS);
    const mismatched = rows.filter(
      (row) => xIdByText.get(composePostText(row.text, row.trackedUrl)) !== row.xPostId,
    );
    expect(mismatched).toEqual([]);
    expect(await fake.control.requestCount("POST /2/tweets")).toBe(POSTS);
  }

  it("given 1,000 posts due now and two runner processes, X holds every post exactly once and both processes published part of them", async () => {
    const [a, b] = startRunners(2);
    await Promise.all([a?.started, b?.started]);

    await expectAllFinished();
    const published = await stopAll();

    await expectExactlyOnce();
    expect(published).toHaveLength(2);
    expect(published.reduce((sum, n) => sum + n, 0)).toBe(POSTS);
    for (const count of published) expect(count).toBeGreaterThan(0);
    expect(runners.flatMap((r) => r.errors)).toEqual([]);
  }, 330_000);

  it("given one of two runner processes killed with SIGKILL mid-run, the other finishes every post once the dead one's leases expire, still exactly once", async () => {
    const [victim, survivor] = startRunners(2);
    await Promise.all([victim?.started, survivor?.started]);
    const creates = () => fake.control.requestCount("POST /2/tweets");
    expect(await waitFor(creates, 300, 60_000)).toBeGreaterThanOrEqual(300);
    victim?.child.kill("SIGKILL");
    const killed = await victim?.exited;
    expect(killed?.signal).toBe("SIGKILL");

    await expectAllFinished();
    const [survivorPublished] = await stopAll();

    await expectExactlyOnce();
    expect(survivorPublished).toBeGreaterThan(0);
    // The posts the victim held when it died were taken over by the survivor after their lease.
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "AuditEvent" WHERE action = 'post.recover'`,
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    expect(survivor?.errors).toEqual([]);
  }, 330_000);
});
