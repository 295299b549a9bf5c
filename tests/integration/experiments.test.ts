import { afterAll, describe, expect, it } from "vitest";
import { approvalNotices } from "../../src/bot/approval-notices.ts";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { PrismaExperimentRepository } from "../../src/db/experiment-repository.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { PrismaSettingsRepository } from "../../src/db/settings-repository.ts";
import { EXPERIMENT_ACTOR, ExperimentQueue } from "../../src/domain/experiment-queue.ts";
import { ExperimentService } from "../../src/domain/experiments.ts";
import { PostService } from "../../src/domain/posts.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { type TestDatabase, testDatabases, testProviders } from "../support/test-database.ts";

const GUILD = "222222222222222222";
const DAY_MS = 86_400_000;
const START = new Date("2026-12-07T06:00:00Z"); // a Monday, before the 09:00 slot (UTC)

async function seedCampaign(db: TestDatabase, link: string | null = "https://shop.example/kettle") {
  return db.prisma.campaign.create({
    data: {
      guildId: GUILD,
      name: "Coffee Gear",
      slug: "coffee-gear",
      liveSlug: "coffee-gear",
      niche: "coffee",
      timezone: "UTC",
      schedule: JSON.stringify({ days: "daily", times: ["09:00", "15:00", "21:00"] }),
      defaultLink: link,
      createdBy: "test",
    },
  });
}

function wire(prisma: PrismaClient, clock: FixedClock) {
  const experiments = new PrismaExperimentRepository(prisma);
  const campaigns = new PrismaCampaignRepository(prisma);
  return {
    service: new ExperimentService({ experiments, campaigns, clock, trackingAvailable: true }),
    queue: new ExperimentQueue({
      experiments,
      slots: experiments,
      campaigns,
      posts: new PrismaPostRepository(prisma),
      approvalNotices,
      clock,
    }),
  };
}

const TEXTS = [
  "Our pour-over kettle, poured slow and steady. #ad",
  "Steady hands, better coffee: the gooseneck kettle. #ad",
  "Three minutes to a better cup with this kettle. #ad",
];

for (const provider of testProviders("experiments.test.ts")) {
  describe(`experiments on ${provider}`, () => {
    const databases = testDatabases(provider, "experiments");
    afterAll(() => databases.closeAll());

    it("given a running experiment, the queue fills 3 days of free slots once, in turns, each post pending approval with its own link", async () => {
      const db = await databases.fresh();
      const campaign = await seedCampaign(db);
      const clock = new FixedClock(START);
      const { service, queue } = wire(db.prisma, clock);
      // A post the team queued by hand keeps its slot.
      await db.prisma.post.create({
        data: {
          campaignId: campaign.id,
          text: "Hand-written",
          scheduledAt: new Date("2026-12-07T15:00:00Z"),
          createdBy: "test",
        },
      });
      const { experiment } = await service.create(
        { guildId: GUILD, campaign: "coffee gear", texts: [...TEXTS, "  "] },
        "discord:1",
      );
      expect(experiment.variants.map((v) => v.label)).toEqual(["A", "B", "C"]);

      // Two instances run the job (at once on PostgreSQL; SQLite has one instance, one writer).
      const second = wire(db.connect(), clock).queue;
      const [first, other] =
        provider === "postgresql"
          ? await Promise.all([queue.run(), second.run()])
          : [await queue.run(), await second.run()];
      const queued = [...(first[0]?.queued ?? []), ...(other[0]?.queued ?? [])];
      const posts = await db.prisma.post.findMany({
        where: { experimentVariantId: { not: null } },
        include: { experimentVariant: true, affiliateLink: true },
        orderBy: { scheduledAt: "asc" },
      });
      expect(posts).toHaveLength(queued.length);
      expect(posts.length).toBeGreaterThanOrEqual(6);
      expect(new Set(posts.map((p) => p.scheduledAt.getTime())).size).toBe(posts.length);
      expect(posts.some((p) => p.scheduledAt.toISOString() === "2026-12-07T15:00:00.000Z")).toBe(
        false,
      );
      for (const post of posts) {
        expect(post.status).toBe("pending_approval");
        expect(post.createdBy).toBe(EXPERIMENT_ACTOR);
        expect(post.text).toBe(post.experimentVariant?.text);
        expect(post.affiliateLink?.utmContent).toBe(String(post.id));
        expect(post.scheduledAt.getTime()).toBeLessThanOrEqual(START.getTime() + 3 * DAY_MS);
      }
      // No text twice within X's 24 hours.
      for (const label of ["A", "B", "C"]) {
        const times = posts
          .filter((p) => p.experimentVariant?.label === label)
          .map((p) => p.scheduledAt.getTime());
        expect(times.length).toBeGreaterThan(0);
        for (let i = 1; i < times.length; i += 1) {
          expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThan(DAY_MS);
        }
      }
      expect((await queue.run())[0]?.queued).toEqual([]);
      expect(await db.prisma.autopilotSlot.count()).toBe(posts.length);
    });

    it("given every variant past the planned sample, the queue finishes the experiment and queues nothing", async () => {
      const db = await databases.fresh();
      const campaign = await seedCampaign(db);
      const clock = new FixedClock(START);
      const { service, queue } = wire(db.prisma, clock);
      const { experiment } = await service.create(
        { guildId: GUILD, campaign: "Coffee Gear", texts: TEXTS.slice(0, 2), sample: 500 },
        "discord:1",
      );
      for (const [index, variant] of experiment.variants.entries()) {
        const post = await db.prisma.post.create({
          data: {
            campaignId: campaign.id,
            text: variant.text,
            scheduledAt: new Date(START.getTime() - (index + 1) * DAY_MS),
            publishedAt: new Date(START.getTime() - (index + 1) * DAY_MS),
            status: "published",
            createdBy: EXPERIMENT_ACTOR,
            experimentVariantId: variant.id,
          },
        });
        await db.prisma.postMetrics.create({
          data: {
            postId: post.id,
            impressions: 600,
            urlLinkClicks: 30 + 20 * index,
            likes: 0,
            reposts: 0,
            replies: 0,
            quotes: 0,
            engagementRate: 0,
            recordedAt: new Date(START.getTime() - DAY_MS / 2),
          },
        });
      }
      const view = await service.view(GUILD, experiment.id);
      expect(view.report.variants.map((v) => [v.label, v.trials, v.value])).toEqual([
        ["A", 600, 0.05],
        ["B", 600, 50 / 600],
      ]);
      expect(view.report.verdict.kind).not.toBe("running");
      expect(view.series.length).toBeGreaterThan(0);

      const [outcome] = await queue.run();
      expect(outcome).toMatchObject({ finished: true, queued: [] });
      const stored = await db.prisma.experiment.findUniqueOrThrow({ where: { id: experiment.id } });
      expect(stored.status).toBe("finished");
      expect(stored.endedAt?.toISOString()).toBe(START.toISOString());
      expect(await queue.run()).toEqual([]);
    });

    it("given a variant's second post days after its first, approving it is allowed: an experiment repeats its texts, X's 24-hour rule applies, not the team's 30 days", async () => {
      const db = await databases.fresh();
      await seedCampaign(db);
      const clock = new FixedClock(START);
      const { service, queue } = wire(db.prisma, clock);
      await service.create(
        { guildId: GUILD, campaign: "Coffee Gear", texts: TEXTS.slice(0, 2) },
        "discord:1",
      );
      await queue.run();
      const posts = new PostService({
        campaigns: new PrismaCampaignRepository(db.prisma),
        posts: new PrismaPostRepository(db.prisma),
        clock,
        settings: new PrismaSettingsRepository(db.prisma),
        notices: approvalNotices,
      });
      const queued = await db.prisma.post.findMany({
        where: { experimentVariant: { label: "A" } },
        orderBy: { scheduledAt: "asc" },
      });
      expect(queued.length).toBeGreaterThanOrEqual(2);
      for (const post of queued) {
        expect((await posts.approve(post.id, "discord:2")).status).toBe("approved");
      }
      // A hand-typed post with the same words is still refused under the team's 30-day rule.
      await expect(
        posts.queue(
          {
            guildId: GUILD,
            campaign: "Coffee Gear",
            text: TEXTS[0] as string,
            at: "2026-12-20 09:00",
          },
          "discord:1",
        ),
      ).rejects.toThrow("within 30 days");
    });

    it("given a stopped experiment, stopping again is refused and the queue leaves it alone", async () => {
      const db = await databases.fresh();
      await seedCampaign(db);
      const clock = new FixedClock(START);
      const { service, queue } = wire(db.prisma, clock);
      const { experiment } = await service.create(
        { guildId: GUILD, campaign: "Coffee Gear", texts: TEXTS.slice(0, 2) },
        "discord:1",
      );
      expect((await service.stop(GUILD, experiment.id, "discord:2")).status).toBe("stopped");
      await expect(service.stop(GUILD, experiment.id, "discord:2")).rejects.toThrow(/is stopped/);
      expect(await queue.run()).toEqual([]);
      expect(await db.prisma.post.count()).toBe(0);
      const audit = await db.prisma.auditEvent.findMany({ where: { targetType: "experiment" } });
      expect(audit.map((event) => event.action)).toEqual([
        "experiment.created",
        "experiment.stopped",
      ]);
      // With the first stopped, the campaign may start another.
      await service.create(
        { guildId: GUILD, campaign: "Coffee Gear", texts: TEXTS.slice(1, 3) },
        "discord:1",
      );
    });

    it("given bad input, nothing is created and the message says what to fix", async () => {
      const db = await databases.fresh();
      await seedCampaign(db, null);
      const { service } = wire(db.prisma, new FixedClock(START));
      const create = (texts: string[], campaign = "Coffee Gear") =>
        service.create({ guildId: GUILD, campaign, texts }, "discord:1");
      await expect(create(TEXTS.slice(0, 2))).rejects.toThrow(/has none/);
      await db.prisma.campaign.updateMany({ data: { defaultLink: "https://shop.example/k" } });
      await expect(create([TEXTS[0] as string])).rejects.toThrow(/2 to 4 texts; 1 was given/);
      await expect(create([TEXTS[0] as string, ` ${TEXTS[0]} `])).rejects.toThrow(
        /Variant B repeats/,
      );
      await expect(create([TEXTS[0] as string, "x".repeat(300)])).rejects.toThrow(
        /Variant B: The post is/,
      );
      await expect(create(TEXTS.slice(0, 2), "Hiking")).rejects.toThrow(/no campaign called/);
      expect(await db.prisma.experiment.count()).toBe(0);
    });
  });
}
