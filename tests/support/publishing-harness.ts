import { once } from "node:events";
import { pino } from "pino";
import { runnerNotices } from "../../src/bot/runner-notices.ts";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { PrismaOutboxRepository } from "../../src/db/outbox-repository.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { PrismaPublishQueue } from "../../src/db/publish-queue.ts";
import { PrismaXAccountRepository } from "../../src/db/x-account-repository.ts";
import { type CreateCampaignInput, prepareCampaign } from "../../src/domain/campaigns.ts";
import type { OutboxKind } from "../../src/domain/outbox.ts";
import type { Clock, PublishQueue } from "../../src/domain/ports.ts";
import { SecretBox } from "../../src/domain/secrets.ts";
import {
  PublishRunner,
  type RunnerEvents,
  type RunnerSettings,
} from "../../src/scheduler/runner.ts";
import { XPublisher } from "../../src/x/x-publisher.ts";
import { type FakeX, type FakeXOptions, startFakeX } from "./fake-x/server.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

export const GUILD = "222222222222222222";
export const X_USER = {
  userId: "1790000000000000100",
  username: "desk_deals",
  accessToken: "token-desk",
};
export const SECRET_KEY = Buffer.alloc(32, 8);

export const FAST_SETTINGS: RunnerSettings = {
  leaseMs: 30_000,
  maxAttempts: 5,
  graceMs: 15 * 60_000,
  concurrency: 4,
  budget: { per24Hours: 100, per15Minutes: 100 },
  backoff: { baseMs: 40, maxMs: 400 },
  reclaimAllLeasesAtStart: true,
};

export interface Harness {
  db: TestDatabase;
  fakeX: FakeX;
  posts: PrismaPostRepository;
  accounts: PrismaXAccountRepository;
  campaignId: number;
  xAccountId: number;
  /**
   * A runner on the shared database; several may be made (a restart is a new runner). `wrapQueue`
   * lets a test stand between the runner and its queue (to hold a query at a chosen moment).
   */
  runner(
    settings?: Partial<RunnerSettings>,
    clock?: Clock,
    wrapQueue?: (queue: PublishQueue) => PublishQueue,
  ): PublishRunner;
  /** An approved post, inserted directly: setup, not the behaviour under test. */
  approvedPost(
    text: string,
    scheduledAt: Date,
    options?: { link?: string; media?: string[]; campaignId?: number },
  ): Promise<number>;
  createCampaign(input?: Partial<CreateCampaignInput>): Promise<number>;
  /** The messages the runners wrote to the outbox, of one kind, oldest first. */
  outbox(kind: OutboxKind): Promise<{ content: string; components: unknown[] }[]>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    timeoutMs?: number;
    limits?: FakeXOptions["limits"];
    /** A migrated database to publish from (closed with the harness); a SQLite file if none. */
    database?: TestDatabase;
  } = {},
): Promise<Harness> {
  const db = options.database ?? createTestDatabase();
  const fakeX = await startFakeX({
    accounts: [X_USER],
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  const posts = new PrismaPostRepository(db.prisma);
  const campaigns = new PrismaCampaignRepository(db.prisma);
  const accounts = new PrismaXAccountRepository(db.prisma, new SecretBox({ current: SECRET_KEY }));
  const account = await accounts.save(
    {
      guildId: GUILD,
      handle: X_USER.username,
      xUserId: X_USER.userId,
      credentials: {
        kind: "oauth1",
        appKey: "app-key",
        appSecret: "app-secret",
        accessToken: X_USER.accessToken,
        accessSecret: "access-secret",
      },
    },
    { actor: "test", action: "x_account.connected" },
  );
  const createCampaign = async (input: Partial<CreateCampaignInput> = {}) => {
    const campaign = await campaigns.create(
      prepareCampaign(
        {
          guildId: GUILD,
          name: `Desk Gadgets ${Math.random().toString(36).slice(2, 8)}`,
          niche: "gadgets",
          times: "09:00,15:00,21:00",
          timezone: "Europe/Berlin",
          xAccountId: account.id,
          ...input,
        },
        "test",
      ),
      { actor: "test", action: "campaign.created" },
    );
    return campaign.id;
  };
  const campaignId = await createCampaign();
  const runners: PublishRunner[] = [];

  return {
    db,
    fakeX,
    posts,
    accounts,
    campaignId,
    xAccountId: account.id,
    createCampaign,
    runner(settings = {}, clock = { now: () => new Date() }, wrapQueue = (queue) => queue) {
      const runner = new PublishRunner({
        posts,
        queue: wrapQueue(new PrismaPublishQueue(db.prisma)),
        campaigns,
        accounts,
        publisher: new XPublisher({
          apiBase: new URL(fakeX.url),
          timeoutMs: options.timeoutMs ?? 5_000,
          httpAgent: fakeX.agent,
          clock,
        }),
        clock,
        logger: pino({ level: process.env.HERALD_TEST_LOG ?? "silent" }),
        settings: { ...FAST_SETTINGS, ...settings },
        notices: runnerNotices,
        outbox: new PrismaOutboxRepository(db.prisma),
      });
      runners.push(runner);
      return runner;
    },
    async approvedPost(text, scheduledAt, postOptions = {}) {
      const campaign = await campaigns.findById(postOptions.campaignId ?? campaignId);
      const post = await posts.create(
        {
          campaignId: postOptions.campaignId ?? campaignId,
          text,
          media: postOptions.media ?? [],
          scheduledAt,
          status: "approved",
          createdBy: "test",
          link:
            postOptions.link === undefined
              ? null
              : { originalUrl: postOptions.link, utm: { campaign: campaign?.slug ?? "c" } },
        },
        { actor: "test", action: "post.queued" },
      );
      return post.id;
    },
    async outbox(kind) {
      const rows = await db.prisma.outboxMessage.findMany({
        where: { kind },
        orderBy: { id: "asc" },
      });
      return rows.map((row) => {
        const payload = JSON.parse(row.payload) as { content?: string; components?: unknown[] };
        return { content: payload.content ?? "", components: payload.components ?? [] };
      });
    },
    async close() {
      await Promise.all(runners.map((runner) => runner.stop(1_000)));
      await fakeX.close();
      await db.close();
    },
  };
}

/** Resolves with the next event of that name (with a deadline, so a test fails instead of hanging). */
export async function nextEvent<K extends keyof RunnerEvents>(
  runner: PublishRunner,
  event: K,
  timeoutMs = 10_000,
): Promise<RunnerEvents[K][0]> {
  const [payload] = (await once(runner as never, event as string, {
    signal: AbortSignal.timeout(timeoutMs),
  })) as RunnerEvents[K];
  return payload;
}

/** Collects `count` events of a kind. */
export async function events<K extends keyof RunnerEvents>(
  runner: PublishRunner,
  event: K,
  count: number,
  timeoutMs = 10_000,
): Promise<RunnerEvents[K][0][]> {
  const seen: RunnerEvents[K][0][] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`only ${seen.length} of ${count} ${event} events`)),
      timeoutMs,
    );
    const listener = (payload: RunnerEvents[K][0]) => {
      seen.push(payload);
      if (seen.length === count) {
        clearTimeout(timer);
        (runner as unknown as NodeJS.EventEmitter).off(event, listener);
        resolve(seen);
      }
    };
    (runner as unknown as NodeJS.EventEmitter).on(event, listener);
  });
}
