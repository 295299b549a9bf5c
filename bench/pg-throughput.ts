// pg-throughput: posts per second with 1, 2 and 4 runner processes sharing one PostgreSQL
// database, and the same run on SQLite with one process, side by side. Each run: 1,000 approved
// posts due at one instant a few seconds ahead (so every process has started and armed its
// timer), the runners as separate processes (tests/crash/runner-process.ts, wired as the service
// wires them), one fake X in its own process. Timed from the instant the posts fall due to the
// last one recorded published; every run is checked to have put each post on X exactly once.
// Needs TEST_DATABASE_URL (as the tests); without it only the SQLite figure is printed.
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import Database from "better-sqlite3";
import type pg from "pg";
import { applySqliteMigrations } from "../src/db/migrate.ts";
import { type FakeXProcess, startFakeXProcess } from "../tests/support/fake-x/process.ts";
import { createPostgresSchema, testPostgresUrl } from "../tests/support/postgres.ts";
import { type RunnerChild, startRunner } from "../tests/support/runner-child.ts";
import {
  insertApprovedPosts,
  insertApprovedPostsPostgres,
  type SeedPost,
  seedCampaign,
} from "../tests/support/seed-database.ts";
import { makeTempDir } from "../tests/support/temp-dir.ts";
import { figuresOf } from "./figures.ts";
import { postText, SECRET_KEY, X_ACCOUNT } from "./setup.ts";

const POSTS = 1_000;
/** Time for every runner process to start (4 of them on 2 busy cores) before the posts fall due. */
const LEAD_MS = 12_000;
const RUN_TIMEOUT_MS = 180_000;
const figure = figuresOf("pg-throughput");

interface Target {
  url: string;
  insert(posts: SeedPost[]): Promise<void>;
  published(): Promise<number>;
  remove(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const temp = makeTempDir("herald-bench-");
  const file = join(temp.dir, "herald.db");
  applySqliteMigrations(file);
  const url = `file:${file}`;
  const campaign = await seedCampaign(url, SECRET_KEY, X_ACCOUNT);
  return {
    url,
    async insert(posts) {
      insertApprovedPosts(file, campaign, posts);
    },
    async published() {
      const db = new Database(file, { readonly: true, timeout: 5000 });
      try {
        return (
          db.prepare(`SELECT count(*) AS n FROM "Post" WHERE status = 'published'`).get() as {
            n: number;
          }
        ).n;
      } finally {
        db.close();
      }
    },
    async remove() {
      temp.remove();
    },
  };
}

async function postgresTarget(baseUrl: string): Promise<Target> {
  const schema = await createPostgresSchema(baseUrl, "bench");
  const campaign = await seedCampaign(schema.url, SECRET_KEY, X_ACCOUNT);
  const client: pg.Client = await schema.client();
  return {
    url: schema.url,
    async insert(posts) {
      await insertApprovedPostsPostgres(client, campaign, posts);
    },
    async published() {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM "Post" WHERE status = 'published'`,
      );
      return Number(rows[0]?.n);
    },
    remove: () => schema.drop(),
  };
}

/** Posts per second for `processes` runners on `target`; throws unless X got each post once. */
async function run(target: Target, processes: number, fake: FakeXProcess): Promise<number> {
  await fake.control.reset();
  const dueAt = new Date(Date.now() + LEAD_MS);
  await target.insert(
    Array.from({ length: POSTS }, (_, i) => ({ ...postText(i), scheduledAt: dueAt })),
  );
  const runners: RunnerChild[] = Array.from({ length: processes }, () =>
    startRunner({
      DATABASE_URL: target.url,
      X_API_BASE: fake.url,
      HERALD_SECRET_KEY: SECRET_KEY.toString("base64"),
      NODE_EXTRA_CA_CERTS: fake.caFile,
      LOG_LEVEL: "error",
    }),
  );
  try {
    await Promise.all(runners.map((runner) => runner.started));
    if (Date.now() >= dueAt.getTime()) {
      throw new Error(`${processes} runner processes took longer than ${LEAD_MS} ms to start`);
    }
    const deadline = Date.now() + LEAD_MS + RUN_TIMEOUT_MS;
    let published = 0;
    while (published < POSTS && Date.now() < deadline) {
      await delay(20);
      published = await target.published();
    }
    const seconds = (Date.now() - dueAt.getTime()) / 1000;
    const onX = await fake.control.posts();
    const creates = await fake.control.requestCount("POST /2/tweets");
    if (published !== POSTS || onX.length !== POSTS || creates !== POSTS) {
      throw new Error(
        `${processes} processes: ${published} published, ${onX.length} on X, ${creates} POSTs`,
      );
    }
    const perProcess = await Promise.all(
      runners.map((runner) => {
        runner.child.kill("SIGTERM");
        return runner.stopped;
      }),
    );
    if (perProcess.some((line) => Number(line?.published) === 0)) {
      process.stderr.write(
        `note: a process published nothing: ${JSON.stringify(perProcess.map((l) => l?.published))}\n`,
      );
    }
    return POSTS / seconds;
  } finally {
    for (const runner of runners) {
      if (runner.child.exitCode === null && runner.child.signalCode === null) {
        runner.child.kill("SIGKILL");
      }
    }
    await Promise.all(runners.map((runner) => runner.exited));
  }
}

const fake = await startFakeXProcess({ accounts: [X_ACCOUNT] });
try {
  const sqlite = await sqliteTarget();
  try {
    figure("sqlite_1_process", await run(sqlite, 1, fake), "posts/s");
  } finally {
    await sqlite.remove();
  }
  const baseUrl = testPostgresUrl();
  if (baseUrl === undefined) {
    process.stderr.write("pg-throughput: TEST_DATABASE_URL is not set; PostgreSQL runs skipped\n");
  } else {
    for (const processes of [1, 2, 4]) {
      const target = await postgresTarget(baseUrl);
      try {
        figure(
          `postgresql_${processes}_process${processes === 1 ? "" : "es"}`,
          await run(target, processes, fake),
          "posts/s",
        );
      } finally {
        await target.remove();
      }
    }
  }
} finally {
  await fake.stop();
}
