import { afterAll, describe, expect, it } from "vitest";
import { approvalNotices } from "../../src/bot/approval-notices.ts";
import { autopilotNotices } from "../../src/bot/autopilot-notices.ts";
import { teamNotices } from "../../src/bot/team-notices.ts";
import { PrismaAutopilotStore } from "../../src/db/autopilot-repository.ts";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import type { PrismaClient } from "../../src/db/client.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { PrismaSettingsRepository } from "../../src/db/settings-repository.ts";
import { discordActor } from "../../src/domain/audit.ts";
import { AUTOPILOT_ACTOR, AutopilotService } from "../../src/domain/autopilot.ts";
import { CampaignService } from "../../src/domain/campaigns.ts";
import { normaliseForDuplicate } from "../../src/domain/content-policy.ts";
import { PostService } from "../../src/domain/posts.ts";
import { slotsUntil } from "../../src/domain/schedule.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { testDatabases, testProviders } from "../support/test-database.ts";

const GUILD = "222222222222222222";
const MANAGER = discordActor("333333333333333333");
const APPROVER = discordActor("444444444444444444");
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Spring forward in Europe/Berlin falls on day 14 of the run: 02:30 does not exist that night. */
const START = new Date("2026-03-15T00:00:00Z");
const DAYS = 30;
const RESTART_DAYS = new Set([4, 11, 23]);

/** The campaigns of the simulation: their slots, library and repeat rule. */
const CAMPAIGNS = [
  {
    name: "Night Owls",
    timezone: "Europe/Berlin",
    times: "02:30,09:00,21:00",
    minRepeatDays: 10,
    // 40 items, every fifth used once only; four wordings each.
    items: Array.from({ length: 40 }, (_, i) => ({
      text: `{Morning|Midday|Evening|Late} reading tip ${i + 1}`,
      evergreen: i % 5 !== 0,
    })),
  },
  {
    name: "Trail Notes",
    timezone: "America/New_York",
    times: "08:00,12:00,18:00",
    minRepeatDays: 5,
    items: Array.from({ length: 15 }, (_, i) => ({
      text: `{Pack|Bring|Carry} {water|a map|snacks|layers} on trail ${i + 1}`,
      evergreen: true,
    })),
  },
  {
    // Its five items are Trail Notes' first five templates on another account: the team's
    // accounts must never post the same words within 30 days.
    name: "Coffee Corner",
    timezone: "Asia/Tokyo",
    times: "07:00,13:00,19:00",
    minRepeatDays: 14,
    items: Array.from({ length: 5 }, (_, i) => ({
      text: `{Pack|Bring|Carry} {water|a map|snacks|layers} on trail ${i + 1}`,
      evergreen: true,
    })),
  },
] as const;

/** A seeded source, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** One Herald instance's services on its own database connection. */
function instance(prisma: PrismaClient, clock: FixedClock, seed: number) {
  const campaigns = new PrismaCampaignRepository(prisma);
  const postRepository = new PrismaPostRepository(prisma);
  const posts = new PostService({
    campaigns,
    posts: postRepository,
    clock,
    settings: new PrismaSettingsRepository(prisma),
    notices: approvalNotices,
  });
  const autopilot = new AutopilotService({
    campaigns,
    store: new PrismaAutopilotStore(prisma),
    notices: autopilotNotices,
    approvalNotices,
    clock,
    random: seeded(seed),
    settings: new PrismaSettingsRepository(prisma),
    approve: (postId, actor) => posts.approve(postId, actor),
  });
  return { prisma, posts, postRepository, autopilot };
}

describe.each(testProviders("autopilot-simulation.test.ts"))(
  "autopilot over 30 simulated days on %s",
  (provider) => {
    const databases = testDatabases(provider, "autopilot_sim");
    afterAll(async () => {
      await databases.closeAll();
    });

    it("fills every slot once, never repeats a text or an item too soon, publishes only what was approved, and says once a day when a library runs dry", async () => {
      const db = await databases.fresh();
      const clock = new FixedClock(START);
      const setup = new CampaignService(
        new PrismaCampaignRepository(db.prisma),
        new PrismaPostRepository(db.prisma),
        { notices: { approvals: approvalNotices, team: teamNotices } },
      );
      const ids: number[] = [];
      for (const [index, spec] of CAMPAIGNS.entries()) {
        const account = await db.prisma.xAccount.create({
          data: {
            guildId: GUILD,
            handle: `account${index}`,
            xUserId: `10${index}`,
            credentials: "sealed",
          },
        });
        const campaign = await setup.create(
          {
            guildId: GUILD,
            name: spec.name,
            niche: "hobbies",
            times: spec.times,
            timezone: spec.timezone,
            link: "https://shop.example/item",
            xAccountId: account.id,
          },
          MANAGER,
        );
        await db.prisma.campaign.update({
          where: { id: campaign.id },
          data: { autopilotEnabled: true, autopilotMinRepeatDays: spec.minRepeatDays },
        });
        await db.prisma.contentItem.createMany({
          data: spec.items.map((item) => ({
            ...item,
            campaignId: campaign.id,
            createdBy: MANAGER,
          })),
        });
        ids.push(campaign.id);
      }

      // Two instances share PostgreSQL; SQLite belongs to one process.
      const instanceCount = provider === "postgresql" ? 2 : 1;
      let generation = 0;
      const start = () =>
        Array.from({ length: instanceCount }, (_, i) =>
          instance(db.connect(), clock, 1000 * generation + i + 1),
        );
      let instances = start();

      for (let hour = 0; hour < DAYS * 24; hour++) {
        clock.set(new Date(START.getTime() + hour * HOUR_MS));
        if (hour % 24 === 0 && RESTART_DAYS.has(hour / 24)) {
          await Promise.all(instances.map((running) => running.prisma.$disconnect()));
          generation += 1;
          instances = start();
        }
        const results = await Promise.all(instances.map((running) => running.autopilot.fillAll()));
        expect(results.flatMap((result) => result.failed)).toEqual([]);
        await approveAndPublish(instances[0] as ReturnType<typeof instance>, clock.now());
      }

      const posts = await db.prisma.post.findMany({
        include: { autopilotSlot: true },
        orderBy: { scheduledAt: "asc" },
      });
      const end = new Date(START.getTime() + DAYS * DAY_MS);
      for (const [index, spec] of CAMPAIGNS.entries()) {
        const campaignId = ids[index] as number;
        const own = posts.filter((post) => post.campaignId === campaignId);
        // Every slot up to the last one a fill could reach holds at most one post …
        const slots = slotsUntil(
          { days: "daily", times: spec.times.split(",") },
          spec.timezone,
          START,
          new Date(end.getTime() + 4 * DAY_MS),
        );
        const perSlot = new Map<number, number>();
        for (const post of own) {
          const at = post.scheduledAt.getTime();
          perSlot.set(at, (perSlot.get(at) ?? 0) + 1);
          expect(post.autopilotSlot?.slotAt.getTime()).toBe(at);
          expect(post.createdBy).toBe(AUTOPILOT_ACTOR);
        }
        expect([...perSlot.values()].every((count) => count === 1)).toBe(true);
        expect([...perSlot.keys()].every((at) => slots.some((slot) => slot.getTime() === at))).toBe(
          true,
        );
        // … and the libraries that can keep up fill every slot within the horizon.
        if (spec.name !== "Coffee Corner") {
          const due = slots.filter((slot) => slot.getTime() <= end.getTime());
          expect(due.filter((slot) => !perSlot.has(slot.getTime()))).toEqual([]);
        }

        // No evergreen item within its repeat window; single-use items once.
        const items = await db.prisma.contentItem.findMany({ where: { campaignId } });
        for (const item of items) {
          const uses = own.filter((post) => post.contentItemId === item.id);
          if (!item.evergreen) expect(uses.length).toBeLessThanOrEqual(1);
          for (let i = 1; i < uses.length; i++) {
            const gap =
              (uses[i]?.scheduledAt.getTime() ?? 0) - (uses[i - 1]?.scheduledAt.getTime() ?? 0);
            expect(gap).toBeGreaterThanOrEqual(spec.minRepeatDays * DAY_MS);
          }
        }
      }

      // The spring-forward night of Night Owls got its 02:30 post at 03:30 CEST.
      expect(
        posts.some(
          (post) =>
            post.campaignId === ids[0] &&
            post.scheduledAt.toISOString() === "2026-03-29T01:30:00.000Z",
        ),
      ).toBe(true);

      // No two posts of the team carry the same words within 30 days, on any account.
      const live = posts.filter(
        (post) => post.status !== "rejected" && post.status !== "cancelled",
      );
      for (const [i, post] of live.entries()) {
        for (const other of live.slice(i + 1)) {
          if (other.scheduledAt.getTime() - post.scheduledAt.getTime() >= 30 * DAY_MS) break;
          expect(normaliseForDuplicate(other.text)).not.toBe(normaliseForDuplicate(post.text));
        }
      }

      // Published means approved by the approver before its time; the posts left unapproved
      // stayed unpublished.
      const published = posts.filter((post) => post.status === "published");
      expect(published.length).toBeGreaterThan(150);
      for (const post of published) {
        expect(post.approvalDecision).toBe("approved");
        expect(post.approvalBy).toBe(APPROVER);
      }
      expect(
        posts.filter((post) => post.id % 11 === 0).every((post) => post.status !== "published"),
      ).toBe(true);

      // Coffee Corner (5 items, 14-day rule) ran dry: told once per local day, the others never.
      const notices = await db.prisma.outboxMessage.findMany({ where: { kind: "notice" } });
      const dry = notices.filter((notice) => notice.payload.includes("cannot fill"));
      const dryRows = await db.prisma.autopilotDryNotice.findMany();
      expect(dry).toHaveLength(dryRows.length);
      expect(new Set(dryRows.map((row) => row.campaignId))).toEqual(new Set([ids[2]]));
      const dates = dryRows.map((row) => row.date);
      expect(new Set(dates).size).toBe(dates.length);
      expect(dates.length).toBeGreaterThanOrEqual(DAYS - 3);
      process.stdout.write(
        `autopilot month on ${provider}: ${JSON.stringify(
          CAMPAIGNS.map((spec, index) => ({
            campaign: spec.name,
            posts: posts.filter((post) => post.campaignId === ids[index]).length,
            published: published.filter((post) => post.campaignId === ids[index]).length,
          })),
        )}, dry notices ${dryRows.length}\n`,
      );
      // Every fill that added posts wrote one "Approve all" digest.
      const digests = await db.prisma.autopilotDigest.count();
      expect(notices.length - dry.length).toBe(digests);
    }, 240_000);
  },
);

/**
 * The team: approves autopilot's posts due within 20 hours, rejects every seventh and leaves every
 * eleventh unapproved; the runner's part is played by publishing approved posts that are due.
 */
async function approveAndPublish(team: ReturnType<typeof instance>, now: Date): Promise<void> {
  const pending = await team.prisma.post.findMany({
    where: {
      status: "pending_approval",
      scheduledAt: { lte: new Date(now.getTime() + 20 * HOUR_MS) },
    },
  });
  for (const post of pending) {
    if (post.id % 11 === 0) continue;
    if (post.scheduledAt <= now) continue;
    if (post.id % 7 === 0) await team.posts.reject(post.id, APPROVER, "Not this week");
    else await team.posts.approve(post.id, APPROVER);
  }
  const due = await team.prisma.post.findMany({
    where: { status: "approved", scheduledAt: { lte: now } },
  });
  for (const post of due) {
    await team.postRepository.transition(
      post.id,
      "approved",
      { status: "publishing" },
      { actor: "scheduler", action: "post.publishing" },
    );
    await team.postRepository.transition(
      post.id,
      "publishing",
      { status: "published", xPostId: `x${post.id}`, publishedAt: now },
      { actor: "scheduler", action: "post.published" },
    );
  }
}
