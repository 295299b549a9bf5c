// The publish runner on PostgreSQL when the database drops its connections mid-run.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { PublishRunner } from "../../src/scheduler/runner.ts";
import { noticePostgresSkipped, testPostgresUrl } from "../support/postgres.ts";
import { type Harness, nextEvent, startHarness } from "../support/publishing-harness.ts";
import { testDatabases } from "../support/test-database.ts";

const pgUrl = testPostgresUrl();
if (pgUrl === undefined) noticePostgresSkipped("runner-postgres.test.ts");

/** Resolves once `count` distinct posts were published, or rejects after `timeoutMs`. */
function publishedPosts(runner: PublishRunner, count: number, timeoutMs: number) {
  const seen = new Set<number>();
  return new Promise<Set<number>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${seen.size} of ${count} posts published`)),
      timeoutMs,
    );
    runner.on("post.published", ({ post }) => {
      seen.add(post.id);
      if (seen.size === count) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

describe.runIf(pgUrl !== undefined)("publish runner on PostgreSQL", () => {
  const databases = testDatabases("postgresql", "runner_pg");
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });
  afterAll(async () => {
    await databases.closeAll();
  });

  it("given every database connection cut mid-run, reconnects and publishes each of 100 posts exactly once", async () => {
    const db = await databases.fresh();
    h = await startHarness({ database: db });
    const ids: number[] = [];
    for (let i = 0; i < 100; i += 1) {
      ids.push(await h.approvedPost(`Standing desk deal number ${i}`, new Date()));
    }
    // As in production on PostgreSQL: leases of a dead attempt are taken over once expired.
    const runner = h.runner({ reclaimAllLeasesAtStart: false, leaseMs: 1_000 });
    const firstThirty = publishedPosts(runner, 30, 30_000);
    await runner.start();
    await firstThirty;

    const admin = await databases.admin();
    const { rows: cut } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
      [new URL(db.url).searchParams.get("application_name")],
    );
    expect(cut.length).toBeGreaterThan(0);

    // The database is the truth: a record that committed just as its connection was cut never
    // got its "published" event. Each time the runner goes idle, look whether all are done.
    // Counted over the test's own connection, which was not cut.
    const unfinished = async () => {
      const { rows } = await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM "Post" WHERE status <> 'published'`,
      );
      return Number(rows[0]?.n);
    };
    for (;;) {
      // Listening before looking, so an idle between the two is not missed.
      const idle = nextEvent(runner, "idle", 90_000);
      if ((await unfinished()) === 0) {
        idle.catch(() => {});
        break;
      }
      await idle;
    }
    expect(h.fakeX.posts).toHaveLength(100);
    expect(new Set(h.fakeX.posts.map((post) => post.text)).size).toBe(100);
    expect(
      h.fakeX.requests.filter((r) => r.method === "POST" && r.path === "/2/tweets"),
    ).toHaveLength(100);
  }, 120_000);
});
