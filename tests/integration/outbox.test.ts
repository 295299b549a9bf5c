import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { approvalNotices } from "../../src/bot/approval-notices.ts";
import { teamNotices } from "../../src/bot/team-notices.ts";
import { PrismaCampaignRepository } from "../../src/db/campaign-repository.ts";
import { PrismaOutboxRepository } from "../../src/db/outbox-repository.ts";
import { PrismaPostRepository } from "../../src/db/post-repository.ts";
import { PrismaSettingsRepository } from "../../src/db/settings-repository.ts";
import { discordActor, SCHEDULER_ACTOR } from "../../src/domain/audit.ts";
import { CampaignService } from "../../src/domain/campaigns.ts";
import { APPROVAL_CHANNEL, type OutboxDraft } from "../../src/domain/outbox.ts";
import { PostService } from "../../src/domain/posts.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { type TestDatabase, testDatabases, testProviders } from "../support/test-database.ts";

const GUILD = "222222222222222222";
const MANAGER = discordActor("333333333333333333");
const AT = new Date("2026-06-01T08:00:00Z");
const minutes = (n: number) => new Date(AT.getTime() + n * 60_000);
const sentAs = (messageId: string) => ({ channelId: "c1", messageId });

function draft(channelId: string, content: string): OutboxDraft {
  return { guildId: GUILD, channelId, kind: "notice", payload: { content } };
}

describe.each(testProviders("outbox.test.ts"))("outbox repository on %s", (provider) => {
  const databases = testDatabases(provider, "outbox");
  let db: TestDatabase;
  let outbox: PrismaOutboxRepository;

  beforeEach(async () => {
    db = await databases.fresh();
    outbox = new PrismaOutboxRepository(db.prisma);
  });
  afterAll(async () => {
    await databases.closeAll();
  });

  const contents = (rows: { payload: { content?: string } }[]) =>
    rows.map((row) => row.payload.content);

  it("given two dispatchers claiming at once, hands each due row to exactly one of them", async () => {
    await outbox.enqueue(
      Array.from({ length: 12 }, (_, i) => draft(`channel-${i}`, `m${i}`)),
      AT,
    );
    const [a, b] = await Promise.all([
      outbox.claimDue("a", AT, minutes(1), 50),
      outbox.claimDue("b", AT, minutes(1), 50),
    ]);
    const ids = [...a, ...b].map((row) => row.id);
    expect(new Set(ids).size).toBe(12);
    expect(ids).toHaveLength(12);
    // Leased: nobody gets them again until the lease ends.
    expect(await outbox.claimDue("c", minutes(0.5), minutes(2), 50)).toEqual([]);
    expect(await outbox.claimDue("c", minutes(1.5), minutes(3), 50)).toHaveLength(12);
  });

  it("given three rows in one channel, hands out the next only once the earlier is sent or dropped, retries included", async () => {
    await outbox.enqueue(
      [draft("c1", "first"), draft("c1", "second"), draft("c2", "other"), draft("c1", "third")],
      AT,
    );
    const heads = await outbox.claimDue("me", AT, minutes(1), 50);
    expect(contents(heads)).toEqual(["first", "other"]);
    expect(await outbox.claimDue("me", AT, minutes(1), 50)).toEqual([]);

    const [first, other] = heads as [(typeof heads)[0], (typeof heads)[0]];
    expect(await outbox.markSent(first.id, "me", sentAs("900"), AT)).toBe(true);
    const [second] = await outbox.claimDue("me", AT, minutes(1), 50);
    expect(second?.payload.content).toBe("second");

    // A retry keeps its place: "third" waits behind it.
    expect(await outbox.retryLater(second?.id ?? 0, "me", minutes(5), "Discord 503")).toBe(true);
    expect(await outbox.claimDue("me", minutes(1), minutes(2), 50)).toEqual([]);
    // "other" is still leased: it is taken over just after its lease ends.
    expect(await outbox.nextDueAt()).toEqual(new Date(minutes(1).getTime() + 1));
    const [again] = await outbox.claimDue("me", minutes(5), minutes(6), 50);
    expect(again).toMatchObject({ id: second?.id, attempts: 2 });

    expect(await outbox.drop(second?.id ?? 0, "me", "Unknown Channel", minutes(5))).toBe(true);
    expect(contents(await outbox.claimDue("me", minutes(5), minutes(6), 50))).toEqual(["third"]);
    // Settled rows are not settled again, and another owner cannot settle a row it does not hold.
    expect(await outbox.markSent(first.id, "me", sentAs("901"), AT)).toBe(false);
    expect(await outbox.markSent(other.id, "someone else", sentAs("902"), AT)).toBe(false);
  });

  describe("written with a post's move", () => {
    async function queuedPost() {
      const campaignRepository = new PrismaCampaignRepository(db.prisma);
      const postRepository = new PrismaPostRepository(db.prisma);
      const posts = new PostService({
        notices: approvalNotices,
        campaigns: campaignRepository,
        posts: postRepository,
        clock: new FixedClock(AT),
        settings: new PrismaSettingsRepository(db.prisma),
      });
      await new CampaignService(campaignRepository, postRepository, {
        notices: { approvals: approvalNotices, team: teamNotices },
      }).create(
        {
          guildId: GUILD,
          name: "Desk Gadgets",
          niche: "office",
          times: "09:00",
          timezone: "UTC",
        },
        MANAGER,
      );
      return posts.queue({ guildId: GUILD, campaign: "Desk Gadgets", text: "Desk lamps" }, MANAGER);
    }

    it("given a batch where one move no longer applies, writes only the notices of the move that did, rendered from the post as recorded", async () => {
      const post = await queuedPost();
      const repository = new PrismaPostRepository(db.prisma);
      const audit = { actor: SCHEDULER_ACTOR, action: "test" };
      const moved = await repository.transitionAll([
        {
          id: post.id,
          from: "pending_approval",
          changes: { status: "cancelled" },
          audit,
          notices: ({ post: recorded, campaignName }) => [
            draft(APPROVAL_CHANNEL, `#${recorded.id} ${recorded.status} in ${campaignName}`),
          ],
        },
        {
          id: post.id,
          from: "approved",
          changes: { status: "cancelled" },
          audit,
          notices: () => [draft(APPROVAL_CHANNEL, "stale")],
        },
      ]);
      expect(moved.map((p) => p?.status ?? null)).toEqual(["cancelled", null]);
      const rows = await db.prisma.outboxMessage.findMany({ where: { kind: "notice" } });
      expect(rows.map((row) => JSON.parse(row.payload))).toEqual([
        { content: `#${post.id} cancelled in Desk Gadgets` },
      ]);
    });

    it("given a post queued, its approval message is written with it, for the approval channel and rendered from the post and its campaign", async () => {
      const post = await queuedPost();
      const rows = await db.prisma.outboxMessage.findMany();
      expect(rows).toMatchObject([
        { kind: "approval.create", channelId: APPROVAL_CHANNEL, targetPostId: post.id },
      ]);
      const payload = JSON.parse(rows[0]?.payload ?? "{}");
      expect(payload.embeds[0]).toMatchObject({
        title: `Post #${post.id} · Desk Gadgets`,
        description: "Desk lamps",
      });
      expect(
        payload.components[0].components.map((b: { custom_id: string }) => b.custom_id),
      ).toEqual(
        ["approve", "reject", "edit", "reschedule"].map((action) => `post:${action}:${post.id}`),
      );
    });

    it("given an approval.create for the approval channel sent, records the channel it went to and its message as the post's approval message in the same step", async () => {
      const post = await queuedPost();
      await outbox.enqueue(
        [
          {
            guildId: GUILD,
            channelId: APPROVAL_CHANNEL,
            kind: "approval.create",
            payload: { content: "Approve?" },
            targetPostId: post.id,
          },
        ],
        AT,
      );
      const [row] = await outbox.claimDue("me", AT, minutes(1), 50);
      await outbox.markSent(row?.id ?? 0, "me", { channelId: "approvals-1", messageId: "777" }, AT);
      expect(
        (await new PrismaPostRepository(db.prisma).findById(post.id))?.approvalMessage,
      ).toEqual({ channelId: "approvals-1", messageId: "777" });
    });
  });
});
