import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { approvalNotices } from "../../src/bot/approval-notices.ts";
import { teamNotices } from "../../src/bot/team-notices.ts";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { PrismaPublishQueue } from "../../src/db/publish-queue.ts";
import { PrismaSettingsRepository } from "../../src/db/settings-repository.ts";
import { PrismaXAccountRepository } from "../../src/db/x-account-repository.ts";
import { PrismaXSpendRepository } from "../../src/db/x-spend-repository.ts";
import { discordActor } from "../../src/domain/audit.ts";
import { CampaignService, type CreateCampaignInput } from "../../src/domain/campaigns.ts";
import { DomainError, type DomainErrorCode } from "../../src/domain/errors.ts";
import { APPROVAL_CHANNEL } from "../../src/domain/outbox.ts";
import type { PostEvent, PostStatus } from "../../src/domain/post-lifecycle.ts";
import { nextStatus } from "../../src/domain/post-lifecycle.ts";
import { PostService } from "../../src/domain/posts.ts";
import { SecretBox } from "../../src/domain/secrets.ts";
import type { XAccount } from "../../src/domain/x-accounts.ts";
import { type BudgetWatch, budgetDue } from "../../src/domain/x-spend.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { type TestDatabase, testDatabases, testProviders } from "../support/test-database.ts";

const GUILD = "222222222222222222";
const MANAGER = discordActor("333333333333333333");
const APPROVER = discordActor("444444444444444444");
/** The runner that holds the leases these tests take. */
const RUNNER = "runner-a";

describe.each(testProviders("repositories.test.ts"))("repositories on %s", (provider) => {
  const databases = testDatabases(provider, "repositories");
  let db: TestDatabase;
  let clock: FixedClock;
  let campaigns: CampaignService;
  let posts: PostService;
  let postRepository: PrismaPostRepository;

  beforeEach(async () => {
    db = await databases.fresh();
    clock = new FixedClock(new Date("2026-06-01T08:00:00Z"));
    const campaignRepository = new PrismaCampaignRepository(db.prisma);
    postRepository = new PrismaPostRepository(db.prisma);
    campaigns = new CampaignService(campaignRepository, postRepository, {
      notices: { approvals: approvalNotices, team: teamNotices },
    });
    posts = new PostService({
      notices: approvalNotices,
      campaigns: campaignRepository,
      posts: postRepository,
      clock,
      settings: new PrismaSettingsRepository(db.prisma),
    });
  });
  afterAll(async () => {
    await databases.closeAll();
  });

  const gadgets: CreateCampaignInput = {
    guildId: GUILD,
    name: "Desk Gadgets",
    niche: "  Home  Office ",
    times: "09:00,15:00,21:00",
    timezone: "Europe/Berlin",
    link: "https://shop.example/desk?ref=herald",
    epc: 0.4,
  };

  async function expectRefusal(promise: Promise<unknown>, code: DomainErrorCode): Promise<void> {
    const error = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
  }

  async function counts() {
    return {
      campaigns: await db.prisma.campaign.count(),
      posts: await db.prisma.post.count(),
      links: await db.prisma.affiliateLink.count(),
      audit: await db.prisma.auditEvent.count(),
    };
  }

  describe("campaign repository", () => {
    it("creates a campaign with its slug, normalised niche and an audit event in one go", async () => {
      const created = await campaigns.create(gadgets, MANAGER);
      expect(created).toMatchObject({
        name: "Desk Gadgets",
        slug: "desk-gadgets",
        niche: "home office",
        status: "active",
        timezone: "Europe/Berlin",
        schedule: { days: "daily", times: ["09:00", "15:00", "21:00"] },
        defaultLink: "https://shop.example/desk?ref=herald",
        epc: 0.4,
        createdBy: MANAGER,
      });
      expect(await campaigns.get(GUILD, " Desk Gadgets ")).toEqual(created);
      const audit = await db.prisma.auditEvent.findMany();
      expect(audit).toMatchObject([
        {
          actor: MANAGER,
          action: "campaign.created",
          targetType: "campaign",
          targetId: String(created.id),
          guildId: GUILD,
        },
      ]);
    });

    it("refuses a second campaign with the same name, or a name with the same slug, and writes nothing", async () => {
      await campaigns.create(gadgets, MANAGER);
      const before = await counts();
      await expectRefusal(campaigns.create(gadgets, MANAGER), "campaign_name_taken");
      await expectRefusal(
        campaigns.create({ ...gadgets, name: "desk gadgets!" }, MANAGER),
        "campaign_name_taken",
      );
      expect(await counts()).toEqual(before);
    });

    it("lets another guild use the same name", async () => {
      await campaigns.create(gadgets, MANAGER);
      const other = await campaigns.create({ ...gadgets, guildId: "999999999999999999" }, MANAGER);
      expect(other.slug).toBe("desk-gadgets");
      expect(await campaigns.list(GUILD)).toHaveLength(1);
    });

    it.each<[string, Partial<CreateCampaignInput>, DomainErrorCode]>([
      ["an hour of 25", { times: "25:00" }, "invalid_schedule"],
      ["9am", { times: "9am" }, "invalid_schedule"],
      ["no times", { times: "" }, "invalid_schedule"],
      ["an unknown time zone", { timezone: "Mars/Olympus" }, "invalid_timezone"],
      ["an empty name", { name: "   " }, "invalid_input"],
      ["a non-http link", { link: "ftp://shop.example/file" }, "invalid_link"],
      ["a negative EPC", { epc: -1 }, "invalid_input"],
      ["an unknown weekday", { days: "mon,funday" }, "invalid_schedule"],
    ])("refuses %s with a typed error and writes nothing", async (_, change, code) => {
      await expectRefusal(campaigns.create({ ...gadgets, ...change }, MANAGER), code);
      expect(await counts()).toEqual({ campaigns: 0, posts: 0, links: 0, audit: 0 });
    });

    it("pauses, resumes and archives with an audit event each, and refuses moves that make no sense", async () => {
      await campaigns.create(gadgets, MANAGER);
      expect((await campaigns.pause(GUILD, "Desk Gadgets", MANAGER)).status).toBe("paused");
      await expectRefusal(campaigns.pause(GUILD, "Desk Gadgets", MANAGER), "campaign_state");
      expect((await campaigns.resume(GUILD, "Desk Gadgets", MANAGER)).status).toBe("active");
      const { id } = await campaigns.get(GUILD, "Desk Gadgets");
      expect((await campaigns.archive(GUILD, id, MANAGER)).campaign.status).toBe("archived");
      await expectRefusal(campaigns.resume(GUILD, "Desk Gadgets", MANAGER), "campaign_state");
      await expectRefusal(campaigns.pause(GUILD, "Nope", MANAGER), "campaign_not_found");
      const actions = (await db.prisma.auditEvent.findMany({ orderBy: { id: "asc" } })).map(
        (a) => a.action,
      );
      expect(actions).toEqual([
        "campaign.created",
        "campaign.paused",
        "campaign.active",
        "campaign.archived",
      ]);
    });

    it("given 12 campaigns, pages of 10 by name cover each exactly once and count only the guild's", async () => {
      const names = Array.from(
        { length: 12 },
        (_, i) => `Campaign ${String((i * 7) % 12).padStart(2, "0")}`,
      );
      for (const name of names) await campaigns.create({ ...gadgets, name }, MANAGER);
      await campaigns.create({ ...gadgets, guildId: "999999999999999999" }, MANAGER);
      expect(await campaigns.count(GUILD)).toBe(12);
      const first = await campaigns.list(GUILD, { offset: 0, limit: 10 });
      const second = await campaigns.list(GUILD, { offset: 10, limit: 10 });
      expect(first).toHaveLength(10);
      expect([...first, ...second].map((c) => c.name)).toEqual([...names].sort());
      expect(await campaigns.list(GUILD, { offset: 20, limit: 10 })).toEqual([]);
    });
  });

  describe("campaign changes with their posts", () => {
    async function queueThree(): Promise<number[]> {
      const ids: number[] = [];
      for (const text of ["Lamp one", "Lamp two", "Lamp three"]) {
        ids.push(
          (
            await posts.queue(
              { guildId: GUILD, campaign: "Desk Gadgets", text, at: "next" },
              MANAGER,
            )
          ).id,
        );
      }
      return ids;
    }

    it("edits a campaign and sends its approved posts back to approval in one transaction, each with an audit event", async () => {
      const campaign = await campaigns.create(gadgets, MANAGER);
      const [a, b, c] = await queueThree();
      await posts.approve(a as number, APPROVER);
      await posts.approve(b as number, APPROVER);
      const edit = await campaigns.edit(
        GUILD,
        "desk GADGETS",
        { adult: true, times: "10:00" },
        MANAGER,
      );

      expect(edit.campaign).toMatchObject({
        adult: true,
        schedule: { days: "daily", times: ["10:00"] },
      });
      expect(edit.reapprovalBecause).toEqual(["adult"]);
      expect(edit.sentBack.map((post) => post.id).sort()).toEqual([a, b]);
      for (const id of [a, b]) {
        expect(await postRepository.findById(id as number)).toMatchObject({
          status: "pending_approval",
          approval: null,
        });
      }
      expect((await postRepository.findById(c as number))?.status).toBe("pending_approval");
      const audit = await db.prisma.auditEvent.findMany({
        where: { action: { in: ["campaign.edited", "post.edit"] } },
        orderBy: { id: "asc" },
      });
      expect(audit.map((event) => [event.action, event.targetId])).toEqual([
        ["campaign.edited", String(campaign.id)],
        ["post.edit", String(a)],
        ["post.edit", String(b)],
      ]);
      expect(JSON.parse(audit[0]?.payload ?? "{}")).toEqual({
        changes: {
          adult: { from: false, to: true },
          schedule: {
            from: { days: "daily", times: ["09:00", "15:00", "21:00"] },
            to: { days: "daily", times: ["10:00"] },
          },
        },
      });
      expect(JSON.parse(audit[1]?.payload ?? "{}")).toEqual({
        from: "approved",
        to: "pending_approval",
        because: ["adult"],
      });
    });

    it("refuses a new name a live campaign has, and writes nothing; an archived campaign's name is free", async () => {
      await campaigns.create(gadgets, MANAGER);
      const chairs = await campaigns.create({ ...gadgets, name: "Desk Chairs" }, MANAGER);
      const before = await counts();
      await expectRefusal(
        campaigns.edit(GUILD, "Desk Chairs", { name: "DESK gadgets" }, MANAGER),
        "campaign_name_taken",
      );
      expect(await counts()).toEqual(before);
      // Same name in another case is the campaign's own name: allowed.
      expect(
        (await campaigns.edit(GUILD, "Desk Chairs", { name: "desk chairs" }, MANAGER)).campaign
          .name,
      ).toBe("desk chairs");

      await campaigns.archive(GUILD, (await campaigns.get(GUILD, "Desk Gadgets")).id, MANAGER);
      const renamed = await campaigns.edit(GUILD, "Desk Chairs", { name: "Desk Gadgets" }, MANAGER);
      expect(renamed.campaign).toMatchObject({
        id: chairs.id,
        name: "Desk Gadgets",
        slug: "desk-gadgets",
      });
      expect((await campaigns.get(GUILD, "desk gadgets")).id).toBe(chairs.id);
    });

    it("archives a campaign and cancels its waiting posts in one transaction; published posts stay", async () => {
      const campaign = await campaigns.create(gadgets, MANAGER);
      const [a, b, c] = await queueThree();
      await posts.approve(b as number, APPROVER);
      await postRepository.transition(
        c as number,
        "pending_approval",
        { status: "rejected" },
        { actor: APPROVER, action: "post.reject" },
      );
      expect(
        await postRepository.countInCampaign(campaign.id, ["pending_approval", "approved"]),
      ).toBe(2);

      // A button's campaign id from another guild finds nothing here.
      await expectRefusal(
        campaigns.archive("999999999999999999", campaign.id, MANAGER),
        "campaign_not_found",
      );
      const { campaign: archived, cancelled } = await campaigns.archive(
        GUILD,
        campaign.id,
        MANAGER,
      );
      expect(archived.status).toBe("archived");
      expect(cancelled.map((post) => [post.id, post.status]).sort()).toEqual([
        [a, "cancelled"],
        [b, "cancelled"],
      ]);
      expect((await postRepository.findById(c as number))?.status).toBe("rejected");
      expect(await postRepository.countInCampaign(campaign.id, ["cancelled"])).toBe(2);
      const audit = await db.prisma.auditEvent.findMany({
        where: { action: { in: ["campaign.archived", "post.cancel"] } },
        orderBy: { id: "asc" },
      });
      expect(audit.map((event) => event.action)).toEqual([
        "campaign.archived",
        "post.cancel",
        "post.cancel",
      ]);
      await expectRefusal(campaigns.archive(GUILD, campaign.id, MANAGER), "campaign_state");
      await expectRefusal(
        campaigns.edit(GUILD, "Desk Gadgets", { epc: 1 }, MANAGER),
        "campaign_state",
      );
    });
  });

  describe("post repository", () => {
    beforeEach(async () => {
      await campaigns.create(gadgets, MANAGER);
    });

    it("queues a post with a tracked link whose utm_content is the post id", async () => {
      const post = await posts.queue(
        {
          guildId: GUILD,
          campaign: "Desk Gadgets",
          text: "A tidy desk in five minutes",
          at: "now",
        },
        MANAGER,
      );
      expect(post.status).toBe("pending_approval");
      expect(post.scheduledAt).toEqual(clock.now());
      const tracked = new URL(post.affiliateLink?.trackedUrl ?? "");
      expect(tracked.searchParams.get("ref")).toBe("herald");
      expect(tracked.searchParams.get("utm_source")).toBe("x");
      expect(tracked.searchParams.get("utm_medium")).toBe("social");
      expect(tracked.searchParams.get("utm_campaign")).toBe("desk-gadgets");
      expect(tracked.searchParams.get("utm_content")).toBe(String(post.id));
      const link = await db.prisma.affiliateLink.findFirstOrThrow();
      expect(link).toMatchObject({
        utmContent: String(post.id),
        originalUrl: "https://shop.example/desk?ref=herald",
      });
    });

    it("puts 'next' posts into successive free slots of the campaign's schedule", async () => {
      const first = await posts.queue(
        { guildId: GUILD, campaign: "Desk Gadgets", text: "Cable trays", at: "next" },
        MANAGER,
      );
      const second = await posts.queue(
        { guildId: GUILD, campaign: "Desk Gadgets", text: "Monitor arms", at: "next" },
        MANAGER,
      );
      // 08:00 UTC is 10:00 in Berlin (CEST): the next slots are 15:00 and 21:00 local.
      expect(first.scheduledAt.toISOString()).toBe("2026-06-01T13:00:00.000Z");
      expect(second.scheduledAt.toISOString()).toBe("2026-06-01T19:00:00.000Z");
    });

    it.each<
      [string, { text: string; link?: string; at?: string; campaign?: string }, DomainErrorCode]
    >([
      ["text over 280 weighted characters", { text: "a".repeat(281) }, "content_too_long"],
      ["a javascript: link", { text: "Lamp", link: "javascript:alert(1)" }, "invalid_link"],
      ["a malformed time", { text: "Lamp", at: "tomorrowish" }, "invalid_time"],
      ["an unknown campaign", { text: "Lamp", campaign: "Garden" }, "campaign_not_found"],
      ["empty text", { text: "   " }, "invalid_input"],
    ])("refuses %s and writes nothing", async (_, input, code) => {
      const before = await counts();
      await expectRefusal(
        posts.queue({ guildId: GUILD, campaign: "Desk Gadgets", ...input }, MANAGER),
        code,
      );
      expect(await counts()).toEqual(before);
    });

    it("refuses the same text within 30 days on any account of the team, and takes it after", async () => {
      const repo = new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: Buffer.alloc(32, 1) }),
      );
      const connect = (xUserId: string) =>
        repo.save(
          {
            guildId: GUILD,
            handle: `@desk${xUserId}`,
            xUserId,
            credentials: { kind: "oauth2", accessToken: "t" },
          },
          { actor: MANAGER, action: "x_account.connected" },
        );
      const [first, second] = [await connect("1"), await connect("2")];
      await db.prisma.campaign.updateMany({ data: { xAccountId: first.id } });
      await campaigns.create({ ...gadgets, name: "Desk Chairs" }, MANAGER);
      await db.prisma.campaign.updateMany({
        where: { name: "Desk Chairs" },
        data: { xAccountId: second.id },
      });
      await posts.queue(
        { guildId: GUILD, campaign: "Desk Gadgets", text: "Standing desks" },
        MANAGER,
      );
      await expectRefusal(
        posts.queue({ guildId: GUILD, campaign: "Desk Gadgets", text: "standing  desks" }, MANAGER),
        "content_duplicate",
      );
      // Another account of the team, days later: X's rules forbid the same text across accounts.
      await expectRefusal(
        posts.queue(
          {
            guildId: GUILD,
            campaign: "Desk Chairs",
            text: "Standing desks",
            at: "2026-06-20 09:00",
          },
          MANAGER,
        ),
        "content_duplicate",
      );
      clock.advance(31 * 24 * 60 * 60 * 1000);
      await expect(
        posts.queue({ guildId: GUILD, campaign: "Desk Chairs", text: "Standing desks" }, MANAGER),
      ).resolves.toMatchObject({ status: "pending_approval" });
    });

    it("persists every move of the lifecycle together with its audit event", async () => {
      const queue = (text: string) =>
        posts.queue({ guildId: GUILD, campaign: "Desk Gadgets", text, at: "now" }, MANAGER);
      const auditFor = async (id: number) =>
        (
          await db.prisma.auditEvent.findMany({
            where: { targetType: "post", targetId: String(id) },
            orderBy: { id: "asc" },
          })
        ).map((a) => [a.action, JSON.parse(a.payload).to ?? null]);

      // queue → approve → edit (back to pending) → approve → claim → published
      const a = await queue("Desk lamp with a dimmer");
      expect((await posts.approve(a.id, APPROVER)).approval).toMatchObject({
        by: APPROVER,
        decision: "approved",
      });
      const edited = await posts.edit(a.id, MANAGER, { text: "Desk lamp with a warm dimmer" });
      expect(edited).toMatchObject({
        status: "pending_approval",
        approval: null,
        text: "Desk lamp with a warm dimmer",
      });
      await posts.approve(a.id, APPROVER);
      const claimed = await postRepository.claim(
        [a.id],
        clock.now(),
        new Date(clock.now().getTime() + 30_000),
        RUNNER,
      );
      expect(claimed).toMatchObject([{ id: a.id, status: "publishing", attempts: 1 }]);
      await scheduler(a.id, "publishing", "publish_succeeded", {
        xPostId: "1790000000000000001",
        publishedAt: clock.now(),
        costUsd: 0.2,
        leaseUntil: null,
      });
      expect(await postRepository.findById(a.id)).toMatchObject({
        status: "published",
        xPostId: "1790000000000000001",
        costUsd: 0.2,
      });
      expect(await auditFor(a.id)).toEqual([
        ["post.queued", null],
        ["post.approve", "approved"],
        ["post.edit", "pending_approval"],
        ["post.approve", "approved"],
        ["post.claim", null],
        ["post.publish_succeeded", "published"],
      ]);

      // queue → reject → edit (resubmitted) → cancel
      const b = await queue("Ergonomic chair guide");
      expect((await posts.reject(b.id, APPROVER, "Add the price")).approval).toMatchObject({
        decision: "rejected",
        reason: "Add the price",
      });
      await posts.edit(b.id, MANAGER, { text: "Ergonomic chair guide, from 99 EUR" });
      expect((await posts.cancel(b.id, MANAGER)).status).toBe("cancelled");
      expect((await auditFor(b.id)).map(([action]) => action)).toEqual([
        "post.queued",
        "post.reject",
        "post.edit",
        "post.cancel",
      ]);

      // approved → claim → release (transient error) → claim → failed → retry → missed → reschedule
      const c = await queue("Keyboard trays compared");
      await posts.approve(c.id, APPROVER);
      await postRepository.claim(
        [c.id],
        clock.now(),
        new Date(clock.now().getTime() + 30_000),
        RUNNER,
      );
      await scheduler(c.id, "publishing", "release", {
        leaseUntil: null,
        lastError: "X answered 503",
      });
      await postRepository.claim(
        [c.id],
        clock.now(),
        new Date(clock.now().getTime() + 30_000),
        RUNNER,
      );
      await scheduler(c.id, "publishing", "publish_failed", {
        leaseUntil: null,
        lastError: "X refused the text",
      });
      await scheduler(c.id, "failed", "retry", {});
      await scheduler(c.id, "approved", "mark_missed", {});
      const rescheduled = await posts.reschedule(c.id, MANAGER, "2026-06-02 09:00");
      expect(rescheduled).toMatchObject({
        status: "approved",
        attempts: 2,
        lastError: "X refused the text",
      });
      expect(rescheduled.scheduledAt.toISOString()).toBe("2026-06-02T07:00:00.000Z");
      expect((await auditFor(c.id)).map(([action]) => action)).toEqual([
        "post.queued",
        "post.approve",
        "post.claim",
        "post.release",
        "post.claim",
        "post.publish_failed",
        "post.retry",
        "post.mark_missed",
        "post.reschedule",
      ]);
    });

    async function scheduler(id: number, from: PostStatus, event: PostEvent, changes: object) {
      return postRepository.transition(
        id,
        from,
        { ...changes, status: nextStatus(from, event) },
        {
          actor: "scheduler",
          action: `post.${event}`,
          payload: { from, to: nextStatus(from, event) },
        },
      );
    }

    it("refuses approving twice or approving a cancelled post, and writes nothing", async () => {
      const post = await posts.queue(
        { guildId: GUILD, campaign: "Desk Gadgets", text: "Cable clips" },
        MANAGER,
      );
      await posts.approve(post.id, APPROVER);
      const before = await counts();
      await expectRefusal(posts.approve(post.id, APPROVER), "invalid_transition");
      await posts.cancel(post.id, MANAGER);
      await expectRefusal(posts.approve(post.id, APPROVER), "invalid_transition");
      await expectRefusal(posts.approve(9999, APPROVER), "post_not_found");
      expect((await counts()).audit).toBe(before.audit + 1);
    });

    it("given a transition based on a stale status, refuses it instead of overwriting", async () => {
      const post = await posts.queue(
        { guildId: GUILD, campaign: "Desk Gadgets", text: "Drawer organisers" },
        MANAGER,
      );
      await posts.cancel(post.id, MANAGER);
      await expectRefusal(
        postRepository.transition(
          post.id,
          "pending_approval",
          { status: "approved" },
          { actor: APPROVER, action: "post.approve" },
        ),
        "invalid_transition",
      );
      expect((await postRepository.findById(post.id))?.status).toBe("cancelled");
    });

    async function approvedPosts(count: number): Promise<number[]> {
      const ids: number[] = [];
      for (let i = 0; i < count; i++) {
        const post = await posts.queue(
          { guildId: GUILD, campaign: "Desk Gadgets", text: `Desk tip number ${i}` },
          MANAGER,
        );
        await posts.approve(post.id, APPROVER);
        ids.push(post.id);
      }
      return ids;
    }

    it("given two concurrent claims of one post in one process, exactly one wins", async () => {
      const [id] = await approvedPosts(1);
      const lease = new Date(clock.now().getTime() + 30_000);
      const results = await Promise.all([
        postRepository.claim([id ?? 0], clock.now(), lease, RUNNER),
        postRepository.claim([id ?? 0], clock.now(), lease, RUNNER),
      ]);
      expect(results.flat()).toHaveLength(1);
    });

    it("given two processes claiming the same 60 posts at the same moment, each post has exactly one winner", async () => {
      const ids = await approvedPosts(60);
      // Opposite orders make the two workers collide on every post at some point.
      const workers = [ids, [...ids].reverse()].map((order) =>
        startClaimWorker(db.url, clock.now(), order),
      );
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      const [a, b] = await Promise.all(workers.map((w) => w.result));
      expect([...(a ?? []), ...(b ?? [])].sort((x, y) => x - y)).toEqual(ids);
      expect(new Set([...(a ?? []), ...(b ?? [])]).size).toBe(ids.length);
      const rows = await db.prisma.post.findMany({ where: { id: { in: ids } } });
      expect(rows.every((row) => row.status === "publishing" && row.attempts === 1)).toBe(true);
      expect(await db.prisma.auditEvent.count({ where: { action: "post.claim" } })).toBe(
        ids.length,
      );
    });

    it("given a batch with posts already taken, not yet due or not approved, claims the rest in the order given, each with its audit event", async () => {
      const [a, b, c, d] = await approvedPosts(4);
      const later = await posts.queue(
        { guildId: GUILD, campaign: "Desk Gadgets", text: "Later", at: "2026-06-03 09:00" },
        MANAGER,
      );
      await posts.approve(later.id, APPROVER);
      const pending = await posts.queue(
        { guildId: GUILD, campaign: "Desk Gadgets", text: "Not approved yet" },
        MANAGER,
      );
      const lease = new Date(clock.now().getTime() + 30_000);
      expect(await postRepository.claim([b ?? 0], clock.now(), lease, RUNNER)).toHaveLength(1);

      const claimed = await postRepository.claim(
        [d ?? 0, later.id, b ?? 0, pending.id, a ?? 0, c ?? 0],
        clock.now(),
        lease,
        RUNNER,
      );

      expect(claimed.map((post) => post.id)).toEqual([d, a, c]);
      expect(claimed.every((post) => post.status === "publishing" && post.attempts === 1)).toBe(
        true,
      );
      const claimAudits = await db.prisma.auditEvent.findMany({ where: { action: "post.claim" } });
      expect(claimAudits.map((event) => Number(event.targetId)).sort((x, y) => x - y)).toEqual(
        [a, b, c, d].sort((x, y) => (x ?? 0) - (y ?? 0)),
      );
      expect((await postRepository.findById(later.id))?.status).toBe("approved");
      expect((await postRepository.findById(pending.id))?.status).toBe("pending_approval");
    });

    it("given a post claimed by one runner and taken over by another after the lease ended, only the new holder renews the lease or records the outcome", async () => {
      const [id = 0] = await approvedPosts(1);
      const queue = new PrismaPublishQueue(db.prisma);
      const lease = new Date(clock.now().getTime() + 30_000);
      await postRepository.claim([id], clock.now(), lease, RUNNER);
      expect(await queue.renewLease(id, lease, "runner-b")).toBe(false);
      expect(await queue.renewLease(id, lease, RUNNER)).toBe(true);

      clock.advance(31_000);
      const takenOver = await queue.takeOverExpired(
        clock.now(),
        new Date(clock.now().getTime() + 30_000),
        10,
        "runner-b",
      );
      expect(takenOver).toMatchObject([{ id, status: "publishing", leaseOwner: "runner-b" }]);
      const published = (owner: string, xPostId: string) => ({
        id,
        from: "publishing" as const,
        leaseOwner: owner,
        changes: { status: "published" as const, xPostId, leaseUntil: null, leaseOwner: null },
        audit: { actor: "scheduler", action: "post.publish_succeeded" },
      });
      expect(await queue.renewLease(id, lease, RUNNER)).toBe(false);
      expect(
        await postRepository.transitionAll([published(RUNNER, "1790000000000000021")]),
      ).toEqual([null]);
      const [recorded] = await postRepository.transitionAll([
        published("runner-b", "1790000000000000022"),
      ]);
      expect(recorded).toMatchObject({
        status: "published",
        xPostId: "1790000000000000022",
        leaseOwner: null,
      });
      const recover = await db.prisma.auditEvent.findFirst({ where: { action: "post.recover" } });
      expect(JSON.parse(recover?.payload ?? "{}")).toMatchObject({
        from: RUNNER,
        owner: "runner-b",
      });
    });

    it("given several moves in one batch where another caller moved one post first, applies the others and leaves that one alone", async () => {
      const [a, b, c] = await approvedPosts(3);
      const lease = new Date(clock.now().getTime() + 30_000);
      await postRepository.claim([a ?? 0, b ?? 0, c ?? 0], clock.now(), lease, RUNNER);
      await scheduler(b ?? 0, "publishing", "release", { leaseUntil: null });
      const auditBefore = (await counts()).audit;
      const published = (id: number | undefined, xPostId: string) => ({
        id: id ?? 0,
        from: "publishing" as const,
        changes: { status: "published" as const, xPostId, leaseUntil: null },
        audit: { actor: "scheduler", action: "post.publish_succeeded" },
      });

      // Not in id order: each result still belongs to the move at its index.
      const results = await postRepository.transitionAll([
        published(c, "1790000000000000013"),
        published(b, "1790000000000000012"),
        published(a, "1790000000000000011"),
      ]);

      expect(results.map((post) => post?.status ?? null)).toEqual(["published", null, "published"]);
      expect(results.map((post) => post?.xPostId ?? null)).toEqual([
        "1790000000000000013",
        null,
        "1790000000000000011",
      ]);
      expect(await postRepository.findById(b ?? 0)).toMatchObject({
        status: "approved",
        xPostId: null,
      });
      expect((await counts()).audit).toBe(auditBefore + 2);
    });

    it("given 25 posts, many at the same instant, pages of 10 cover each exactly once, newest first then highest id, and count follows the filter", async () => {
      const times = ["2026-06-02 09:00", "2026-06-03 09:00", "2026-06-02 15:00"];
      const queued = [];
      for (let i = 0; i < 25; i += 1) {
        queued.push(
          await posts.queue(
            { guildId: GUILD, campaign: "Desk Gadgets", text: `Desk idea ${i}`, at: times[i % 3] },
            MANAGER,
          ),
        );
      }
      const newestFirst = [...queued].sort(
        (a, b) => b.scheduledAt.getTime() - a.scheduledAt.getTime() || b.id - a.id,
      );
      const pageIds = async (filter: { status?: PostStatus }, offset: number) =>
        (await posts.list({ guildId: GUILD, ...filter, offset, limit: 10 })).map((p) => p.id);

      expect(await posts.count({ guildId: GUILD })).toBe(25);
      const pages = [await pageIds({}, 0), await pageIds({}, 10), await pageIds({}, 20)];
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual(newestFirst.map((p) => p.id));
      expect(await pageIds({}, 30)).toEqual([]);

      const cancelled = newestFirst.filter((_, i) => i % 2 === 0).slice(0, 12);
      for (const post of cancelled) await posts.cancel(post.id, MANAGER);
      expect(await posts.count({ guildId: GUILD, status: "cancelled" })).toBe(12);
      expect(await posts.count({ guildId: "999999999999999999" })).toBe(0);
      expect([
        ...(await pageIds({ status: "cancelled" }, 0)),
        ...(await pageIds({ status: "cancelled" }, 10)),
      ]).toEqual(cancelled.map((p) => p.id));
    });

    it("given posts in several statuses, a statuses filter lists and counts only those, also with a text search and a number", async () => {
      const queue = (text: string) =>
        posts.queue({ guildId: GUILD, campaign: "Desk Gadgets", text, at: "next" }, MANAGER);
      const waiting = await queue("Desk lamp waiting");
      const approved = await queue("Desk lamp approved");
      await posts.approve(approved.id, APPROVER);
      const cancelled = await queue("Desk lamp cancelled");
      await posts.cancel(cancelled.id, MANAGER);
      const statuses = ["pending_approval", "approved"] as const;
      const ids = async (extra: { search?: string; id?: number; status?: PostStatus }) =>
        (await posts.list({ guildId: GUILD, statuses, limit: 25, ...extra }))
          .map((p) => p.id)
          .sort();
      expect(await ids({})).toEqual([waiting.id, approved.id].sort());
      expect(await ids({ search: "lamp" })).toEqual([waiting.id, approved.id].sort());
      expect(await ids({ id: cancelled.id })).toEqual([]);
      expect(await ids({ status: "approved" })).toEqual([approved.id]);
      expect(await posts.count({ guildId: GUILD, statuses })).toBe(2);
    });

    it("given an edit with a new link and media, replaces the post's link (utm_content = its id) and media in one go", async () => {
      const post = await posts.queue(
        { guildId: GUILD, campaign: "Desk Gadgets", text: "A desk lamp", at: "next", formId: "42" },
        MANAGER,
      );
      const edited = await posts.edit(post.id, MANAGER, {
        link: "https://shop.example/lamp",
        media: ["/data/media/lamp.png"],
      });
      expect(edited).toMatchObject({ status: "pending_approval", media: ["/data/media/lamp.png"] });
      expect(edited.affiliateLink?.originalUrl).toBe("https://shop.example/lamp");
      expect(new URL(edited.affiliateLink?.trackedUrl ?? "").searchParams.get("utm_content")).toBe(
        String(post.id),
      );
      expect(await db.prisma.affiliateLink.count()).toBe(1);
      await expect(
        posts.queue(
          { guildId: GUILD, campaign: "Desk Gadgets", text: "Other", at: "next", formId: "42" },
          MANAGER,
        ),
      ).rejects.toMatchObject({ code: "form_submitted" });
      expect(await posts.count({ guildId: GUILD })).toBe(1);
    });

    it("does not claim an approved post before its time", async () => {
      const post = await posts.queue(
        { guildId: GUILD, campaign: "Desk Gadgets", text: "Later", at: "2026-06-03 09:00" },
        MANAGER,
      );
      await posts.approve(post.id, APPROVER);
      expect(await postRepository.claim([post.id], clock.now(), clock.now(), RUNNER)).toEqual([]);
    });
  });

  describe("X spend repository", () => {
    it("adds calls to their row per UTC day, account and kind, and sends each budget notice once per key", async () => {
      const accounts = new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: Buffer.alloc(32, 5) }),
      );
      const account = await accounts.save(
        {
          guildId: GUILD,
          handle: "spender",
          xUserId: "777",
          credentials: {
            kind: "oauth1",
            appKey: "k",
            appSecret: "s",
            accessToken: "t",
            accessSecret: "a",
          },
        },
        { actor: MANAGER, action: "x_account.connected" },
      );
      const ledger = new PrismaXSpendRepository(db.prisma);
      const row = (day: string, kind: "post_read" | "owned_read", units: number) => ({
        day,
        xAccountId: account.id,
        kind,
        units,
        usd: units * 0.005,
      });
      await ledger.add([row("2026-06-01", "post_read", 3), row("2026-06-02", "post_read", 1)]);
      await Promise.all([
        ledger.add([row("2026-06-01", "post_read", 2)]),
        ledger.add([row("2026-06-01", "owned_read", 4)]),
      ]);
      const rows = await ledger.rows({
        guildId: GUILD,
        fromDay: "2026-06-01",
        toDay: "2026-06-01",
      });
      expect(rows.map((r) => [r.kind, r.units]).sort()).toEqual([
        ["owned_read", 4],
        ["post_read", 5],
      ]);
      expect(
        await ledger.rows({ guildId: "other", fromDay: "2026-06-01", toDay: "2026-06-30" }),
      ).toEqual([]);

      // $0.05 spent so far; a $0.06 budget warns at $0.048 and is reached at $0.06.
      await new PrismaSettingsRepository(db.prisma).update(
        GUILD,
        { xMonthlyBudget: 0.06 },
        { actor: MANAGER, action: "settings.updated" },
      );
      const watch: BudgetWatch = {
        guildId: GUILD,
        month: "2026-06",
        due: (spentUsd, budget) => budgetDue(spentUsd, budget, new Date("2026-06-02T12:00:00Z")),
        render: (notice) => [
          {
            guildId: GUILD,
            channelId: APPROVAL_CHANNEL,
            kind: "notice",
            payload: { content: `${notice.level} at ${notice.spentUsd.toFixed(3)}` },
          },
        ],
      };
      // Two adds at once cross both thresholds: each notice is written once, with its spend.
      const told = await Promise.all([
        ledger.add([row("2026-06-01", "post_read", 1)], watch),
        ledger.add([row("2026-06-01", "post_read", 1)], watch),
      ]);
      expect(told.map((notice) => notice?.level).sort()).toEqual(["reached", "warning"]);
      expect(await ledger.add([row("2026-06-02", "post_read", 1)], watch)).toBeNull();
      const written = await db.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
      expect(written.map((message) => JSON.parse(message.payload).content)).toEqual([
        "warning at 0.055",
        "reached at 0.060",
      ]);
    });
  });

  describe("X account repository", () => {
    const credentials = {
      kind: "oauth1" as const,
      appKey: "app-key-PLAINTEXT-1",
      appSecret: "app-secret-PLAINTEXT-2",
      accessToken: "access-token-PLAINTEXT-3",
      accessSecret: "access-secret-PLAINTEXT-4",
    };

    it("stores credentials encrypted: no secret appears anywhere in the database", async () => {
      const repo = new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: Buffer.alloc(32, 5) }),
      );
      const account = await repo.save(
        { guildId: GUILD, handle: "@Desk_Deals", xUserId: "12345", credentials },
        { actor: MANAGER, action: "x_account.connected" },
      );
      expect(account).toMatchObject({
        handle: "desk_deals",
        status: "active",
        postsPer24h: null,
        postsPer15Min: null,
      });
      expect(account).not.toHaveProperty("credentials");
      const bytes = await db.dump();
      for (const secret of Object.values(credentials).filter((v) => v.includes("PLAINTEXT"))) {
        expect(bytes).not.toContain(secret);
      }
      expect(bytes).toContain("desk_deals");
      expect(await repo.credentialsOf(account.id)).toEqual(credentials);
    });

    it("given another HERALD_SECRET_KEY, refuses to open the credentials with secret_invalid", async () => {
      const saved = await new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: Buffer.alloc(32, 5) }),
      ).save(
        { guildId: GUILD, handle: "desk", xUserId: "1", credentials },
        { actor: MANAGER, action: "x_account.connected" },
      );
      const otherKey = new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: Buffer.alloc(32, 6) }),
      );
      await expectRefusal(otherKey.credentialsOf(saved.id), "secret_invalid");
    });

    it("connecting the same handle again replaces the credentials and reactivates the account", async () => {
      const repo = new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: Buffer.alloc(32, 5) }),
      );
      const first = await repo.save(
        { guildId: GUILD, handle: "desk", xUserId: "1", credentials },
        { actor: MANAGER, action: "x_account.connected" },
      );
      await repo.setStatus(first.id, "invalid", {
        actor: "scheduler",
        action: "x_account.invalid",
      });
      const again = await repo.save(
        {
          guildId: GUILD,
          handle: "@DESK",
          xUserId: "1",
          credentials: { ...credentials, accessToken: "rotated" },
        },
        { actor: MANAGER, action: "x_account.connected" },
      );
      expect(again).toMatchObject({ id: first.id, status: "active" });
      expect(
        (await repo.credentialsOf(first.id)).kind === "oauth1" &&
          (await repo.credentialsOf(first.id)),
      ).toMatchObject({ accessToken: "rotated" });
      expect(await repo.list(GUILD)).toHaveLength(1);
    });

    it("given a budget of one window, sets it with an audit event and keeps the other window's", async () => {
      const repo = new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: Buffer.alloc(32, 5) }),
      );
      const account = await repo.save(
        { guildId: GUILD, handle: "desk", xUserId: "1", credentials },
        { actor: MANAGER, action: "x_account.connected" },
      );
      await repo.setBudget(
        account.id,
        { postsPer15Min: 10 },
        { actor: MANAGER, action: "x_account.budget" },
      );
      const changed = await repo.setBudget(
        account.id,
        { postsPer24h: 17 },
        { actor: MANAGER, action: "x_account.budget", payload: { postsPer24h: 17 } },
      );
      expect(changed).toMatchObject({ postsPer24h: 17, postsPer15Min: 10 });
      const audit = await db.prisma.auditEvent.findMany({ where: { action: "x_account.budget" } });
      expect(audit.map((event) => JSON.parse(event.payload))).toEqual([{}, { postsPer24h: 17 }]);
    });

    it("disconnects an account once: a second disconnect returns null and writes nothing", async () => {
      const repo = new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: Buffer.alloc(32, 5) }),
      );
      const account = await repo.save(
        { guildId: GUILD, handle: "desk", xUserId: "1", credentials },
        { actor: MANAGER, action: "x_account.connected" },
      );
      const audit = { actor: MANAGER, action: "x_account.disconnected" };
      const notices = (gone: XAccount) => [
        {
          guildId: GUILD,
          channelId: APPROVAL_CHANNEL,
          kind: "notice" as const,
          payload: { content: `@${gone.handle} ${gone.status}` },
        },
      ];
      const [first, second] = await Promise.all([
        repo.disconnect(account.id, audit, notices),
        repo.disconnect(account.id, audit, notices),
      ]);
      expect([first?.account.status, second?.account.status].sort()).toEqual([
        "disconnected",
        undefined,
      ]);
      expect(await repo.disconnect(account.id, audit, notices)).toBeNull();
      expect(await db.prisma.auditEvent.count({ where: { action: audit.action } })).toBe(1);
      // The team is told once, in the disconnect's transaction.
      const told = await db.prisma.outboxMessage.findMany();
      expect(told.map((row) => JSON.parse(row.payload).content)).toEqual(["@desk disconnected"]);
    });

    it("given credentials sealed with a previous key, re-seals them with the current key once", async () => {
      const oldKey = Buffer.alloc(32, 5);
      const newKey = Buffer.alloc(32, 6);
      const before = new PrismaXAccountRepository(db.prisma, new SecretBox({ current: oldKey }));
      const saved = await before.save(
        { guildId: GUILD, handle: "desk", xUserId: "1", credentials },
        { actor: MANAGER, action: "x_account.connected" },
      );
      const rotated = new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: newKey, previous: [oldKey] }),
      );

      expect(await rotated.resealStale()).toBe(1);
      expect(await rotated.resealStale()).toBe(0);

      const onlyNew = new PrismaXAccountRepository(db.prisma, new SecretBox({ current: newKey }));
      expect(await onlyNew.credentialsOf(saved.id)).toEqual(credentials);
      await expectRefusal(before.credentialsOf(saved.id), "secret_invalid");
    });
  });

  describe("campaigns adopting the default account", () => {
    it("gives the account to live campaigns without one, each with an audit event, and leaves the others", async () => {
      const accounts = new PrismaXAccountRepository(
        db.prisma,
        new SecretBox({ current: Buffer.alloc(32, 5) }),
      );
      const [first, second] = await Promise.all(
        ["1", "2"].map((xUserId) =>
          accounts.save(
            {
              guildId: GUILD,
              handle: `acct${xUserId}`,
              xUserId,
              credentials: {
                kind: "oauth1",
                appKey: "k",
                appSecret: "s",
                accessToken: `t${xUserId}`,
                accessSecret: "a",
              },
            },
            { actor: MANAGER, action: "x_account.connected" },
          ),
        ),
      );
      if (first === undefined || second === undefined) throw new Error("accounts not saved");
      const orphan = await campaigns.create({ ...gadgets, name: "Orphan" }, MANAGER);
      const owned = await campaigns.create(
        { ...gadgets, name: "Owned", xAccountId: second.id },
        MANAGER,
      );
      const archived = await campaigns.create({ ...gadgets, name: "Old" }, MANAGER);
      await campaigns.archive(GUILD, archived.id, MANAGER);
      const elsewhere = await campaigns.create(
        { ...gadgets, guildId: "999999999999999999", name: "Elsewhere" },
        MANAGER,
      );

      const adopted = await new PrismaCampaignRepository(db.prisma).adoptAccount(GUILD, first.id, {
        actor: "config:X_API_*",
        action: "campaign.account_adopted",
      });

      expect(adopted.map((campaign) => campaign.id)).toEqual([orphan.id]);
      const accountOf = async (id: number) => (await campaigns.getById(id)).xAccountId;
      expect(await accountOf(orphan.id)).toBe(first.id);
      expect(await accountOf(owned.id)).toBe(second.id);
      expect(await accountOf(archived.id)).toBeNull();
      expect(await accountOf(elsewhere.id)).toBeNull();
      const audit = await db.prisma.auditEvent.findMany({
        where: { action: "campaign.account_adopted" },
      });
      expect(audit.map((event) => [event.targetId, JSON.parse(event.payload)])).toEqual([
        [String(orphan.id), { xAccountId: first.id }],
      ]);
    });
  });
});

const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const CLAIM_WORKER = fileURLToPath(new URL("../support/claim-worker.ts", import.meta.url));

function startClaimWorker(url: string, now: Date, ids: number[]) {
  const child = spawn(
    process.execPath,
    ["--import", TSX, CLAIM_WORKER, url, now.toISOString(), ids.join(",")],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let buffered = "";
  child.stdout.on("data", (chunk) => {
    buffered += String(chunk);
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  const nextLine = (index: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = lines[index];
        if (line !== undefined) resolve(line);
        else waiters.push(check);
      };
      child.once("exit", (code) => reject(new Error(`claim worker exited with ${code}`)));
      check();
    });
  return {
    ready: nextLine(0),
    go: () => child.stdin.write("go\n"),
    result: nextLine(1).then((line) => JSON.parse(line) as number[]),
  };
}
