import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Agent, createServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeXBill } from "./bill.ts";
import { createCertificate } from "./certificate.ts";
import { type Fault, FaultPlan, faultSchema } from "./faults.ts";
import { RateLimiter, type RateLimitOptions } from "./rate-limits.ts";
import { type RecordedRequest, requestListener } from "./request-pipeline.ts";
import { type FakeXRoute, isFakeXRoute } from "./routes.ts";
import {
  DEFAULT_FAKE_X_ACCOUNT,
  type FakeXAccount,
  FakeXStore,
  type PostMetrics,
  type StoredMedia,
  type StoredPost,
} from "./store.ts";

export interface FakeXOptions {
  /** The clock for created_at, rate-limit windows and the 24 h / 30 day rules; ms since epoch. */
  readonly now?: (() => number) | undefined;
  /** The accounts X knows; DEFAULT_FAKE_X_ACCOUNT when not given. */
  readonly accounts?: readonly FakeXAccount[] | undefined;
  readonly limits?: RateLimitOptions | undefined;
}

/** A running fake X API v2 on 127.0.0.1, serving HTTPS with its own certificate. */
export interface FakeX {
  /** The origin to use as X_API_BASE, e.g. https://127.0.0.1:43210. */
  readonly url: string;
  /** PEM of the certificate the fake serves; trust it as a CA. */
  readonly ca: string;
  /** A file holding `ca`, for NODE_EXTRA_CA_CERTS of a child process. */
  readonly caFile: string;
  /** A keep-alive agent trusting `ca`: the client's `httpAgent` setting. Closed with the fake. */
  readonly agent: Agent;
  readonly accounts: readonly FakeXAccount[];
  /** Every request received, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** The posts X holds, oldest first. */
  readonly posts: readonly StoredPost[];
  readonly media: readonly StoredMedia[];
  /** What X would have charged so far (bill.ts). */
  readonly bill: FakeXBill;
  /**
   * Makes a post's counters a function of its age, like a live post's (most of them in its first
   * day), instead of set metrics.
   */
  curveMetrics(postId: string, curve: (ageMs: number) => PostMetrics): void;
  /** Makes the next `times` requests to `route` meet `fault` instead of a normal answer. */
  fail(route: FakeXRoute, fault: Fault, times?: number): void;
  /** Sets some of a post's engagement counters. */
  setMetrics(postId: string, metrics: Partial<PostMetrics>): void;
  /**
   * Makes a post's counters rise over (the fake's) time, as a live post's do: from now on each
   * lookup adds `perHour` for every hour passed, on top of the set metrics.
   */
  growMetrics(postId: string, perHour: Partial<PostMetrics>): void;
  /** Requests received for `route`, or in all if none is named. */
  requestCount(route?: FakeXRoute): number;
  /** Forgets posts, media, requests, faults and rate-limit windows; ids keep increasing. */
  reset(): void;
  /** Stops the server, destroying every socket (hung requests too) and the agent. */
  close(): Promise<void>;
}

export async function startFakeX(options: FakeXOptions = {}): Promise<FakeX> {
  const now = options.now ?? (() => Date.now());
  const accounts = options.accounts ?? [DEFAULT_FAKE_X_ACCOUNT];
  const certificate = await createCertificate();
  const folder = await mkdtemp(join(tmpdir(), "fake-x-"));
  const caFile = join(folder, "ca.pem");
  await writeFile(caFile, certificate.cert);

  const store = new FakeXStore(accounts, now);
  const limiter = new RateLimiter(options.limits ?? {}, now);
  const faults = new FaultPlan();
  const requests: RecordedRequest[] = [];
  const server = createServer(
    { key: certificate.key, cert: certificate.cert },
    requestListener({ store, limiter, faults, requests }),
  );
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ ca: certificate.cert, keepAlive: true });

  let closing: Promise<void> | undefined;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: certificate.cert,
    caFile,
    agent,
    accounts,
    requests,
    posts: store.posts,
    media: store.media,
    bill: store.bill,
    curveMetrics(postId, curve) {
      const post = store.post(postId);
      if (post === undefined) throw new Error(`fake X holds no post ${postId}`);
      post.curve = curve;
    },
    fail(route, fault, times = 1) {
      if (!isFakeXRoute(route)) throw new Error(`fake X has no route ${route}`);
      faults.add(route, faultSchema.parse(fault), times);
    },
    setMetrics(postId, metrics) {
      const post = store.post(postId);
      if (post === undefined) throw new Error(`fake X holds no post ${postId}`);
      post.metrics = { ...post.metrics, ...definedOnly(metrics) };
    },
    growMetrics(postId, perHour) {
      const post = store.post(postId);
      if (post === undefined) throw new Error(`fake X holds no post ${postId}`);
      post.growth = { since: now(), perHour: definedOnly(perHour) };
    },
    requestCount(route) {
      return route === undefined
        ? requests.length
        : requests.filter((request) => request.route === route).length;
    },
    reset() {
      requests.splice(0);
      store.clear();
      faults.clear();
      limiter.reset();
    },
    close() {
      closing ??= (async () => {
        agent.destroy();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
        await rm(folder, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

/** Drops keys set to undefined, so a partial never overwrites a counter with undefined. */
function definedOnly(metrics: Partial<PostMetrics>): Partial<PostMetrics> {
  return Object.fromEntries(Object.entries(metrics).filter(([, value]) => value !== undefined));
}
