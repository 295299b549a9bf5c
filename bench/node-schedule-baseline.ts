// The seed's scheduling design, for the scheduler-memory benchmark: load every approved post
// and schedule one node-schedule job per post (scheduleJob(date, fn)), the job holding its
// post. Usage: node --import tsx node-schedule-baseline.ts, with DATABASE_URL set.
// Prints one JSON line {"event":"scheduled",…} with timings and memory, then waits for SIGTERM.
import { performance } from "node:perf_hooks";
import schedule from "node-schedule";
import { createPrismaClient } from "../src/db/client.ts";

const startedAt = performance.now();
const url = process.env.DATABASE_URL;
if (url === undefined) throw new Error("DATABASE_URL is missing");

const prisma = createPrismaClient(url);
await prisma.$connect();
const posts = await prisma.post.findMany({
  where: { status: "approved" },
  include: { affiliateLink: true },
});
const loadedAt = performance.now();
let published = 0;
let refused = 0;
for (const post of posts) {
  const job = schedule.scheduleJob(post.scheduledAt, () => {
    published += post.id > 0 ? 1 : 0;
  });
  // node-schedule answers null for a date in the past: the post would silently never go out.
  if (job === null) refused += 1;
}
const scheduledAt = performance.now();
const memory = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify({
    event: "scheduled",
    jobs: posts.length - refused,
    refused,
    loadMs: loadedAt - startedAt,
    scheduleMs: scheduledAt - loadedAt,
    startupMs: scheduledAt - startedAt,
    sinceProcessStartMs: scheduledAt,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    published,
  })}\n`,
);

const keepAlive = setInterval(() => {}, 2 ** 31 - 1);
process.once("SIGTERM", () => {
  clearInterval(keepAlive);
  void schedule.gracefulShutdown().then(() => prisma.$disconnect().then(() => process.exit(0)));
});
