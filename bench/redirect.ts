// redirect: autocannon against GET /r/<code> for 10 s on loopback, flat out and at 5,000 req/s (Fastify, the click queue and
// SQLite, as main wires them), then against a bare Node http server answering the same 302
// without recording anything (the floor). Goal: Herald's p99 at most 2x the floor's and at least
// 5,000 requests/s, with every click stored (clicks in the database = 302s sent; no bots here).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import { pino } from "pino";
import { createPrismaClient, tuneSqlite } from "../src/db/client.ts";
import { PrismaTrackedLinks } from "../src/db/tracked-link-repository.ts";
import { systemClock } from "../src/domain/ports.ts";
import { newClickId, redirectLocation } from "../src/domain/tracked-links.ts";
import { ClickRecorder } from "../src/http/click-recorder.ts";
import { redirectRoutes } from "../src/http/redirect-routes.ts";
import { createHttpServer } from "../src/http/server.ts";
import { VisitorHasher } from "../src/http/visitors.ts";
import { figuresOf } from "./figures.ts";
import { createBenchDatabase, SECRET_KEY } from "./setup.ts";

const DURATION_S = 10;
const CONNECTIONS = 32;
const CODE = "BenchCode01";
const TRACKED_URL =
  "https://shop.example.com/lamps?ref=team&utm_source=x&utm_medium=social&utm_campaign=bench";
const BROWSER =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
const figure = figuresOf("redirect");

/** Latency is compared at one fixed offered load (the goal's rate), not each server's maximum. */
const FIXED_RATE = 5_000;

/** Flat out for throughput, or at FIXED_RATE requests/s for latency. */
async function load(url: string, rate?: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    duration: DURATION_S,
    connections: CONNECTIONS,
    headers: { "user-agent": BROWSER },
    ...(rate === undefined ? {} : { overallRate: rate }),
  });
}

const db = await createBenchDatabase();
const prisma = createPrismaClient(db.url);
await tuneSqlite(prisma);
const logger = pino({ level: "silent" });
try {
  const link = await prisma.affiliateLink.create({
    data: { originalUrl: TRACKED_URL, utmCampaign: "bench", trackedUrl: TRACKED_URL, code: CODE },
  });
  await prisma.post.create({
    data: {
      campaignId: db.campaignId,
      text: "Bench post",
      affiliateLinkId: link.id,
      scheduledAt: new Date(),
      status: "published",
      createdBy: "bench",
    },
  });

  const links = new PrismaTrackedLinks(prisma, true);
  const clicks = new ClickRecorder(prisma, logger);
  const app = createHttpServer({
    readiness: { database: async () => true, gateway: () => true },
    routes: [
      redirectRoutes({
        targets: (code) => links.target(code),
        clicks,
        visitors: new VisitorHasher(SECRET_KEY),
        clock: systemClock,
      }),
    ],
    logger,
  });
  const heraldUrl = await app.listen({ port: 0, host: "127.0.0.1" });
  const herald = await load(`${heraldUrl}/r/${CODE}`);
  const heraldAtRate = await load(`${heraldUrl}/r/${CODE}`, FIXED_RATE);
  await app.close();
  await clicks.drain();
  const stored = await prisma.click.count();

  const floor = createServer((_request, response) => {
    response.writeHead(302, {
      location: redirectLocation(TRACKED_URL, "subid", newClickId()),
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    });
    response.end();
  });
  await new Promise<void>((resolve) => floor.listen(0, "127.0.0.1", resolve));
  const { port } = floor.address() as AddressInfo;
  const bare = await load(`http://127.0.0.1:${port}/r/${CODE}`);
  const bareAtRate = await load(`http://127.0.0.1:${port}/r/${CODE}`, FIXED_RATE);
  await new Promise((resolve) => floor.close(resolve));

  figure("herald requests/s", herald.requests.average, "req/s", ">= 5000");
  figure("herald p50", herald.latency.p50, "ms");
  figure("herald p99", herald.latency.p99, "ms");
  figure("floor requests/s", bare.requests.average, "req/s");
  figure("floor p50", bare.latency.p50, "ms");
  figure("floor p99", bare.latency.p99, "ms");
  figure("p99 ratio herald/floor", herald.latency.p99 / Math.max(bare.latency.p99, 1), "x");
  figure(`herald p50 at ${FIXED_RATE} req/s`, heraldAtRate.latency.p50, "ms");
  figure(`herald p99 at ${FIXED_RATE} req/s`, heraldAtRate.latency.p99, "ms");
  figure(`floor p50 at ${FIXED_RATE} req/s`, bareAtRate.latency.p50, "ms");
  figure(`floor p99 at ${FIXED_RATE} req/s`, bareAtRate.latency.p99, "ms");
  figure(
    `p99 ratio herald/floor at ${FIXED_RATE} req/s`,
    heraldAtRate.latency.p99 / Math.max(bareAtRate.latency.p99, 1),
    "x",
    "<= 2",
  );
  figure("redirects sent", herald["3xx"] + heraldAtRate["3xx"], "responses");
  // autocannon stops counting at the deadline while up to CONNECTIONS requests are in flight:
  // those are answered and stored too, so stored may exceed sent by at most that many per run.
  figure("clicks stored", stored, "rows", `redirects sent + <= ${2 * CONNECTIONS}`);
  figure(
    "non-302 answers",
    [herald, heraldAtRate].reduce((sum, run) => sum + run.non2xx - run["3xx"] + run.errors, 0),
    "responses",
    "0",
  );
} finally {
  await prisma.$disconnect();
  db.remove();
}
