// The publishing runner as a process of its own, wired by createPublishRunner exactly as the
// service wires it: for the crash test (killed with SIGKILL and restarted), the shared-database
// tests (several on one PostgreSQL database) and the benchmarks.
// Usage: node --import tsx runner-process.ts
//
// Environment: DATABASE_URL (a migrated SQLite file or PostgreSQL schema), X_API_BASE (the fake
// X), HERALD_SECRET_KEY (base64), LOG_LEVEL (default warn), LEASE_MS (default: the service's),
// NODE_EXTRA_CA_CERTS (the fake's certificate: the X client uses Node's https with the global
// agent, which trusts it, so no xHttpAgent is passed).
//
// Prints one JSON line {"event":"started",…} once runner.start() has returned, and one
// {"event":"armed",…} the first time the runner is idle (nothing due, its timer armed), with
// the process's memory then. Stops on SIGTERM after runner.stop(), printing
// {"event":"stopped","published":n} with the number of posts this process published.
import { performance } from "node:perf_hooks";
import { z } from "zod";
import type { Config } from "../../src/config.ts";
import { createPrismaClient } from "../../src/db/client.ts";
import { systemClock } from "../../src/domain/ports.ts";
import { parseSecretKey } from "../../src/domain/secrets.ts";
import { DEFAULT_X_PRICES } from "../../src/domain/x-prices.ts";
import { createLogger } from "../../src/logger.ts";
import { createPublishRunner } from "../../src/scheduler/create-runner.ts";

const startedAt = performance.now();

const env = z
  .object({
    DATABASE_URL: z
      .string()
      .regex(/^(file:|postgres(ql)?:\/\/)/, "DATABASE_URL must be a file: or postgresql:// URL"),
    X_API_BASE: z.url("X_API_BASE must be the fake X's https origin"),
    HERALD_SECRET_KEY: z.string().transform((value) => parseSecretKey(value)),
    LOG_LEVEL: z.string().default("warn"),
    LEASE_MS: z.coerce.number().int().positive().optional(),
  })
  .parse(process.env);

/**
 * Production values except the posting budget: the crash test publishes 1,000 posts from one
 * account in seconds, far above the default 100 per 24 h and per 15 min (config.ts caps both
 * at 100,000). Attempts, backoff and grace are left at createPublishRunner's defaults, and the
 * lease too unless LEASE_MS says otherwise: with SQLite, leases left by a killed run are reclaimed
 * at start; with PostgreSQL a survivor waits for them to expire, which a short lease speeds up.
 */
const config: Pick<Config, "x" | "publishing" | "secretKey"> = {
  x: { apiBase: new URL(env.X_API_BASE), defaultAccount: null, prices: DEFAULT_X_PRICES },
  publishing: {
    budget: { per24Hours: 100_000, per15Minutes: 100_000 },
    lateGraceMs: 15 * 60_000,
  },
  secretKey: env.HERALD_SECRET_KEY,
};

const logger = createLogger(env.LOG_LEVEL);
const prisma = createPrismaClient(env.DATABASE_URL);
await prisma.$connect();
const runner = createPublishRunner({
  prisma,
  config,
  clock: systemClock,
  logger,
  ...(env.LEASE_MS === undefined ? {} : { settings: { leaseMs: env.LEASE_MS } }),
});
let published = 0;
runner.on("post.published", () => {
  published += 1;
});

const print = (line: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ ...line, pid: process.pid })}\n`);

runner.once("idle", ({ nextWakeAt }) => {
  const memory = process.memoryUsage();
  print({
    event: "armed",
    startupMs: performance.now() - startedAt,
    sinceProcessStartMs: performance.now(),
    nextWakeAt: nextWakeAt?.toISOString() ?? null,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
  });
});

// The runner's timer is only armed while something is due; this keeps the process up meanwhile.
const keepAlive = setInterval(() => {}, 2 ** 31 - 1);
process.once("SIGTERM", () => {
  const deadline = setTimeout(() => process.exit(1), 15_000).unref();
  void (async () => {
    await runner.stop();
    await prisma.$disconnect();
    clearInterval(keepAlive);
    clearTimeout(deadline);
    print({ event: "stopped", published });
    process.exit(0);
  })();
});

await runner.start();
print({ event: "started", runner: runner.id, startupMs: performance.now() - startedAt });
