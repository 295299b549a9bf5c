// A second process claiming posts, for the concurrent-claim test: with SQLite each process has
// its own connection, as two Herald instances (or an instance and a restarted one) would.
// Usage: node --import tsx claim-worker.ts <database-url> <now-iso> <id,id,…>
// Waits for a line on stdin so that both workers start at the same moment, claims in batches of
// 7, then prints the ids it won as one JSON line.
import { createInterface } from "node:readline";
import { createPrismaClient } from "../../src/db/client.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { chunks } from "../../src/domain/chunks.ts";

const [url, nowIso, idList] = process.argv.slice(2);
if (url === undefined || nowIso === undefined || idList === undefined) {
  throw new Error("usage: claim-worker.ts <database-url> <now-iso> <ids>");
}
const prisma = createPrismaClient(url);
await prisma.$connect();
const posts = new PrismaPostRepository(prisma);
const now = new Date(nowIso);
const lease = new Date(now.getTime() + 30_000);
const ids = idList.split(",").map(Number);

process.stdout.write("ready\n");
await new Promise<void>((resolve) =>
  createInterface({ input: process.stdin }).once("line", () => resolve()),
);
// In batches, as the runner claims: a batch may overlap the other worker's in part.
const BATCH = 7;
const won: number[] = [];
for (const batch of chunks(ids, BATCH)) {
  const claimed = await posts.claim(batch, now, lease, `claim-worker-${process.pid}`);
  won.push(...claimed.map((post) => post.id));
}
process.stdout.write(`${JSON.stringify(won)}\n`);
await prisma.$disconnect();
