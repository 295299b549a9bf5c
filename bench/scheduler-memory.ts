// scheduler-memory: 100,000 approved posts due over the next 30 days, in random order. Herald's
// runner (tests/crash/runner-process.ts: createPublishRunner().start(), one timer for the
// earliest post) against the seed's design (bench/node-schedule-baseline.ts: one node-schedule
// job per post), each in a child process of its own, one after the other. Both again on a
// database without posts, to separate what the posts cost from what the code costs. The fake X
// is never called: nothing is due. Goals: Herald's RSS at least 10x smaller, start-up under 1 s.
// Both children run compiled (tsc into node_modules/.cache), as the Docker image runs Herald:
// under tsx each would carry its loader's second thread, about 55 MB that production does not.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { compileTypeScript } from "../tests/support/compile.ts";
import { startFakeX } from "../tests/support/fake-x/server.ts";
import { insertApprovedPosts } from "../tests/support/seed-database.ts";
import { figuresOf, MB } from "./figures.ts";
import {
  type BenchDatabase,
  createBenchDatabase,
  postText,
  SECRET_KEY,
  X_ACCOUNT,
} from "./setup.ts";

const POSTS = 100_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Under node_modules, so the compiled files resolve packages as the sources do. */
const BUILD = join(ROOT, "node_modules", ".cache", "herald-bench");
const HERALD_CHILD = join(BUILD, "tests", "crash", "runner-process.js");
const BASELINE_CHILD = join(BUILD, "bench", "node-schedule-baseline.js");
/** node-schedule's sorted insert is quadratic: minutes for 100,000 jobs on a small machine. */
const CHILD_TIMEOUT_MS = 15 * 60_000;
const figure = figuresOf("scheduler-memory");

interface ChildReport {
  rss: number;
  heapUsed: number;
  startupMs: number;
  /** Parent's view: from spawn to the report line, Node's start-up included. */
  spawnToReadyMs: number;
  line: Record<string, unknown>;
}

/** Starts `file`, waits (bounded) for its report line `event`, then stops it with SIGTERM. */
async function measure(
  file: string,
  event: string,
  env: Record<string, string>,
): Promise<ChildReport> {
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, [file], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${file} did not report within ${CHILD_TIMEOUT_MS} ms`)),
        CHILD_TIMEOUT_MS,
      );
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on("line", (text) => {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        if (parsed.event !== event) return;
        clearTimeout(timer);
        resolve(parsed);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${file} exited with ${code} before reporting`));
      });
    });
    return {
      rss: Number(line.rss),
      heapUsed: Number(line.heapUsed),
      startupMs: Number(line.startupMs),
      spawnToReadyMs: performance.now() - spawnedAt,
      line,
    };
  } finally {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

compileTypeScript(join(ROOT, "tsconfig.json"), BUILD);

const fakeX = await startFakeX({ accounts: [X_ACCOUNT] });
const databases: BenchDatabase[] = [];
try {
  const full = await createBenchDatabase();
  const empty = await createBenchDatabase();
  databases.push(full, empty);
  const now = Date.now();
  insertApprovedPosts(
    full.file,
    full,
    Array.from({ length: POSTS }, (_, i) => ({
      ...postText(i),
      scheduledAt: new Date(now + 10 * 60_000 + Math.floor(Math.random() * 30 * DAY_MS)),
    })),
  );

  const heraldEnv = (db: BenchDatabase) => ({
    DATABASE_URL: db.url,
    X_API_BASE: fakeX.url,
    HERALD_SECRET_KEY: SECRET_KEY.toString("base64"),
    NODE_EXTRA_CA_CERTS: fakeX.caFile,
    LOG_LEVEL: "warn",
  });
  const herald = await measure(HERALD_CHILD, "armed", heraldEnv(full));
  const heraldEmpty = await measure(HERALD_CHILD, "armed", heraldEnv(empty));
  const baseline = await measure(BASELINE_CHILD, "scheduled", { DATABASE_URL: full.url });
  const baselineEmpty = await measure(BASELINE_CHILD, "scheduled", { DATABASE_URL: empty.url });
  if (herald.line.nextWakeAt === null) throw new Error("Herald armed no timer");
  if (baseline.line.jobs !== POSTS) throw new Error(`baseline scheduled ${baseline.line.jobs}`);

  figure("posts", POSTS, "posts");
  figure("herald_rss", herald.rss / MB, "MB", "baseline_rss / 10 or less");
  figure("baseline_rss", baseline.rss / MB, "MB");
  figure("rss_ratio_baseline_to_herald", baseline.rss / herald.rss, "x", ">= 10x");
  figure("herald_rss_without_posts", heraldEmpty.rss / MB, "MB");
  figure("baseline_rss_without_posts", baselineEmpty.rss / MB, "MB");
  const heraldPostsMb = (herald.rss - heraldEmpty.rss) / MB;
  const baselinePostsMb = (baseline.rss - baselineEmpty.rss) / MB;
  figure("herald_rss_for_posts", heraldPostsMb, "MB");
  figure("baseline_rss_for_posts", baselinePostsMb, "MB");
  figure("herald_heap_used", herald.heapUsed / MB, "MB");
  figure("baseline_heap_used", baseline.heapUsed / MB, "MB");
  figure("herald_startup", herald.startupMs, "ms", "< 1000 ms");
  figure("baseline_startup", baseline.startupMs, "ms");
  figure("baseline_load_posts", Number(baseline.line.loadMs), "ms");
  figure("baseline_schedule_jobs", Number(baseline.line.scheduleMs), "ms");
  figure("herald_spawn_to_armed", herald.spawnToReadyMs, "ms");
  figure("baseline_spawn_to_scheduled", baseline.spawnToReadyMs, "ms");
} finally {
  await fakeX.close();
  for (const db of databases) db.remove();
}
