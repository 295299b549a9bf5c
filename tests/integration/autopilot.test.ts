import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { autopilotNotices } from "../../src/bot/autopilot-notices.ts";
import { PrismaAutopilotStore } from "../../src/db/autopilot-repository.ts";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { PrismaSettingsRepository } from "../../src/db/settings-repository.ts";
import { discordActor } from "../../src/domain/audit.ts";
import { AutopilotService } from "../../src/domain/autopilot.ts";
import { type Campaign, CampaignService } from "../../src/domain/campaigns.ts";
import { DomainError } from "../../src/domain/errors.ts";
import { PostService } from "../../src/domain/posts.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { type TestDatabase, testDatabases, testProviders } from "../support/test-database.ts";

const GUILD = "222222222222222222";
const MANAGER = discordActor("333333333333333333");
const APPROVER = discordActor("444444444444444444");

describe.each(testProviders("autopilot.test.ts"))("autopilot on %s", (provider) => {
  const databases = testDatabases(provider, "autopilot");
  let db: TestDatabase;
  let clock: FixedClock;
  let posts: PostService;
  let autopilot: AutopilotService;
  let campaign: Campaign;

  function service(prisma = db.prisma) {
    return new AutopilotService({
      campaigns: new PrismaCampaignRepository(prisma),
      store: new PrismaAutopilotStore(prisma),
      notices: autopilotNotices,
      clock,
      random: () => 0,
      settings: new PrismaSettingsRepository(prisma),
      approve: (postId, actor) => posts.approve(postId, actor),
    });
  }

  beforeEach(async () => {
    db = await databases.fresh();
    clock = new FixedClock(new Date("2026-06-01T06:00:00Z"));
    const campaigns = new PrismaCampaignRepository(db.prisma);
    const postRepository = new PrismaPostRepository(db.prisma);
    posts = new PostService({
      campaigns,
      posts: postRepository,
      clock,
      settings: new PrismaSettingsRepository(db.prisma),
    });
    campaign = await new CampaignService(campaigns, postRepository).create(
      {
        guildId: GUILD,
        name: "Coffee Gear",
        niche: "coffee",
        times: "09:00,18:00",
        timezone: "Europe/Berlin",
        link: "https://shop.example/grinder",
      },
      MANAGER,
    );
    autopilot = service();
  });
  afterAll(async () => {
    await databases.closeAll();
  });

  async function addItems(texts: string[]) {
    await db.prisma.contentItem.createMany({
      data: texts.map((text) => ({ campaignId: campaign.id, text, createdBy: MANAGER })),
    });
  }

  it("given autopilot turned on, fills the free slots of the next 3 days with posts waiting for approval and lists them in one digest", async () => {
    await addItems([
      "Grind {fresh|finer} today",
      "Clean the burrs",
      "Weigh your beans",
      "Bloom first",
    ]);
    // A slot a person already took stays theirs.
    await posts.queue(
      { guildId: GUILD, campaign: "Coffee Gear", text: "Typed by hand", at: "2026-06-01 18:00" },
      MANAGER,
    );
    await autopilot.configure(GUILD, "coffee gear", { enabled: true }, MANAGER);

    const [fill] = (await autopilot.fillAll()).fills;

    expect(fill?.created.map((post) => post.scheduledAt.toISOString())).toEqual([
      "2026-06-01T07:00:00.000Z",
      "2026-06-02T07:00:00.000Z",
      "2026-06-02T16:00:00.000Z",
      "2026-06-03T07:00:00.000Z",
    ]);
    expect(new Set(fill?.created.map((post) => post.status))).toEqual(
      new Set(["pending_approval"]),
    );
    expect(fill?.created[0]?.text).toBe("Grind fresh today");
    const outbox = await db.prisma.outboxMessage.findMany();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.payload).toContain("Autopilot queued 4 posts for **Coffee Gear**");
    expect(outbox[0]?.payload).toContain("Approve all 4");
    // The fifth free slot (in two days) found no item outside its 14-day window; the running-dry
    // notice is only for the next 24 hours.
    expect(fill?.emptyTomorrow).toBe(0);

    // Filling again, from this or another instance, adds nothing and says nothing new.
    expect((await service(db.connect()).fillAll()).fills[0]?.created).toEqual([]);
    expect(await db.prisma.post.count()).toBe(5);
    expect(await db.prisma.outboxMessage.count()).toBe(1);
  });

  it("given Approve all, approves exactly the posts its digest listed, and leaves a post changed since as it is", async () => {
    await addItems(["Pour slowly", "Rinse the filter"]);
    await autopilot.configure(GUILD, "Coffee Gear", { enabled: true, daysAhead: 1 }, MANAGER);
    const [fill] = (await autopilot.fillAll()).fills;
    const [first, second] = fill?.created ?? [];
    const digest = await db.prisma.autopilotDigest.findFirstOrThrow();
    await posts.reject(second?.id ?? 0, APPROVER, "Off topic");
    // A post queued after the digest is not among those it approves.
    const later = await posts.queue(
      { guildId: GUILD, campaign: "Coffee Gear", text: "Another one", at: "next" },
      MANAGER,
    );

    const { approved, skipped } = await autopilot.approveDigest(digest.id, GUILD, APPROVER);

    expect(approved.map((post) => post.id)).toEqual([first?.id]);
    expect(skipped.map((skip) => skip.postId)).toEqual([second?.id]);
    expect((await posts.get(later.id)).status).toBe("pending_approval");
    await expect(
      autopilot.approveDigest(digest.id, "999999999999999999", APPROVER),
    ).rejects.toThrow("no longer exists");
  });

  it("each morning after the guild's report time, lists autopilot's posts of the next 24 hours still waiting, once per day", async () => {
    await addItems(["Pour slowly", "Rinse the filter", "Warm the cup"]);
    await db.prisma.settings.create({
      data: { guildId: GUILD, timezone: "Europe/Berlin", reportTime: "08:30" },
    });
    await autopilot.configure(GUILD, "Coffee Gear", { enabled: true }, MANAGER);
    await autopilot.fillAll();
    const [waiting] = await db.prisma.post.findMany({ orderBy: { scheduledAt: "asc" } });
    await posts.approve(waiting?.id ?? 0, APPROVER);

    // 08:00 in Berlin: before the report time, nothing.
    expect(await autopilot.morningDigests()).toBe(0);
    clock.set("2026-06-01T06:45:00Z");
    expect(await autopilot.morningDigests()).toBe(1);
    expect(await service(db.connect()).morningDigests()).toBe(0);

    const morning = await db.prisma.autopilotDigest.findFirstOrThrow({
      where: { morningOf: "2026-06-01" },
    });
    const listed = JSON.parse(morning.postIds) as number[];
    const dueTomorrow = await db.prisma.post.findMany({
      where: {
        status: "pending_approval",
        scheduledAt: { lte: new Date("2026-06-02T06:45:00Z") },
      },
    });
    expect(listed).toEqual(dueTomorrow.map((post) => post.id));
    expect(listed).not.toContain(waiting?.id);
  });

  it("refuses days_ahead and min_repeat_days outside their ranges and changes nothing", async () => {
    for (const input of [
      { enabled: true, daysAhead: 0 },
      { enabled: true, daysAhead: 15 },
      { enabled: true, minRepeatDays: -1 },
    ]) {
      await expect(autopilot.configure(GUILD, "Coffee Gear", input, MANAGER)).rejects.toThrow(
        DomainError,
      );
    }
    const stored = await db.prisma.campaign.findUniqueOrThrow({ where: { id: campaign.id } });
    expect(stored).toMatchObject({
      autopilotEnabled: false,
      autopilotDaysAhead: 3,
      autopilotMinRepeatDays: 14,
    });
  });

  it("given an empty library, says so once a day however often it fills, and again the next day", async () => {
    await autopilot.configure(GUILD, "Coffee Gear", { enabled: true }, MANAGER);
    await autopilot.fillAll();
    clock.advance(3_600_000);
    await autopilot.fillAll();
    const today = await db.prisma.outboxMessage.findMany();
    expect(today).toHaveLength(1);
    expect(today[0]?.payload).toContain(
      "cannot fill 2 slots of **Coffee Gear** in the next 24 hours: its library is empty",
    );

    clock.advance(24 * 3_600_000);
    await autopilot.fillAll();
    expect(await db.prisma.outboxMessage.count()).toBe(2);
  });
});
