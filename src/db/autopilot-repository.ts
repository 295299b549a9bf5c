import { z } from "zod";
import { AUTOPILOT_ACTOR } from "../domain/autopilot.ts";
import { type LibraryItem, usableAt } from "../domain/autopilot-plan.ts";
import type { AutopilotStore, SlotFill } from "../domain/autopilot-ports.ts";
import type { Campaign } from "../domain/campaigns.ts";
import { DUPLICATE_WINDOW_DAYS, RecentTexts } from "../domain/content-policy.ts";
import type { OutboxDraft } from "../domain/outbox.ts";
import type { Post } from "../domain/posts.ts";
import { type ContentItem as ContentItemRow, Prisma } from "../generated/prisma/client.ts";
import { auditRow, writeAudits } from "./audit-writer.ts";
import { toCampaign } from "./campaign-rows.ts";
import { type PrismaClient, providerOfClient } from "./client.ts";
import type { DatabaseProvider } from "./database-url.ts";
import { enqueueOutbox } from "./outbox-repository.ts";
import {
  affiliateLinkRow,
  recordedPost,
  toPost,
  withCampaign,
  withLink,
} from "./post-repository.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

const DAY_MS = 86_400_000;

const postIdsSchema = z.array(z.number().int().positive());

/** Posts that hold their slot: everything but what was turned down or called off. */
const UNHELD = ["rejected", "cancelled"];

/**
 * The fills' texts that a post of the guild already has within the duplicate window of the slots.
 * The plan compared texts as the content policy does (case and spacing aside) with the guild's
 * texts as read before planning; here, under the lock, only what another instance may have
 * written since is looked for: its autopilot posts, which carry the very same expansions.
 */
async function takenTexts(
  tx: Prisma.TransactionClient,
  guildId: string,
  fills: readonly SlotFill[],
): Promise<RecentTexts> {
  const window = DUPLICATE_WINDOW_DAYS * DAY_MS;
  const times = fills.map((fill) => fill.slotAt.getTime());
  const rows = await tx.post.findMany({
    where: {
      campaign: { guildId },
      text: { in: [...new Set(fills.map((fill) => fill.post.text))] },
      scheduledAt: {
        gte: new Date(Math.min(...times) - window),
        lte: new Date(Math.max(...times) + window),
      },
      status: { notIn: UNHELD },
    },
    select: { text: true },
  });
  return new RecentTexts(rows.map((row) => row.text));
}

/**
 * The accepted fills' posts, affiliate links, audit events, approval messages, slot rows and item
 * uses: the same few statements whatever the number of fills.
 */
async function insertFills(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  fills: readonly SlotFill[],
  items: ReadonlyMap<number, ContentItemRow>,
): Promise<Post[]> {
  const created = await tx.post.createManyAndReturn({
    data: fills.map(({ post: { link: _link, media, ...fields } }) => ({
      ...fields,
      media: JSON.stringify(media),
    })),
    select: { id: true },
  });
  const ids = created.map((row) => row.id);
  // The link is tracked with its post's id (utm_content), so it is made after the post, and the
  // posts then point at their links in one statement.
  const linked = fills.flatMap(({ post }, i) =>
    post.link === null ? [] : [{ postId: ids[i] as number, link: post.link }],
  );
  if (linked.length > 0) {
    const links = await tx.affiliateLink.createManyAndReturn({
      data: linked.map(({ postId, link }) => affiliateLinkRow(link, postId)),
      select: { id: true },
    });
    const cases = linked.map(
      ({ postId }, i) =>
        Prisma.sql`WHEN CAST(${postId} AS INTEGER) THEN CAST(${(links[i] as { id: number }).id} AS INTEGER)`,
    );
    await tx.$executeRaw`UPDATE "Post" SET "affiliateLinkId" = CASE "id" ${Prisma.join(cases, " ")} END WHERE "id" IN (${Prisma.join(linked.map(({ postId }) => Prisma.sql`CAST(${postId} AS INTEGER)`))})`;
  }
  await tx.autopilotSlot.createMany({
    data: fills.map((fill, i) => ({
      campaignId: fill.campaignId,
      slotAt: fill.slotAt,
      postId: ids[i] as number,
    })),
  });
  await writeAudits(
    tx,
    provider,
    fills.map((fill, i) =>
      auditRow(
        { guildId: fill.guildId, targetType: "post", targetId: ids[i] as number },
        fill.audit,
      ),
    ),
  );
  await recordItemUses(
    tx,
    provider,
    [...new Set(fills.map((fill) => fill.itemId))].flatMap((id) => {
      const item = items.get(id);
      return item === undefined ? [] : [item];
    }),
  );
  const rows = await tx.post.findMany({
    where: { id: { in: ids } },
    include: withCampaign,
    orderBy: { scheduledAt: "asc" },
  });
  const notices = new Map(fills.map((fill, i) => [ids[i], fill.notices]));
  await enqueueOutbox(
    tx,
    provider,
    rows.flatMap((row) => notices.get(row.id)?.(recordedPost(row)) ?? []),
  );
  return rows.map(toPost);
}

/** Writes the items' new use counts and last use, one statement for all of them. */
async function recordItemUses(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  items: readonly ContentItemRow[],
): Promise<void> {
  if (items.length === 0) return;
  if (provider === "postgresql") {
    const json = JSON.stringify(
      items.map((item) => ({ id: item.id, uses: item.uses, at: item.lastUsedAt?.toISOString() })),
    );
    await tx.$executeRaw`
      UPDATE "ContentItem" AS c SET "uses" = r.uses, "lastUsedAt" = r.at
        FROM json_to_recordset(${json}::json) AS r(id int, uses int, at timestamp(3))
       WHERE c.id = r.id`;
    return;
  }
  // SQLite keeps DateTime as ISO 8601 text with an explicit +00:00, as Prisma writes it.
  const json = JSON.stringify(
    items.map((item) => ({
      id: item.id,
      uses: item.uses,
      at: item.lastUsedAt?.toISOString().replace("Z", "+00:00"),
    })),
  );
  await tx.$executeRaw`
    UPDATE ContentItem
       SET uses = (SELECT value ->> 'uses' FROM json_each(${json}) WHERE value ->> 'id' = ContentItem.id),
           lastUsedAt = (SELECT value ->> 'at' FROM json_each(${json}) WHERE value ->> 'id' = ContentItem.id)
     WHERE id IN (SELECT value ->> 'id' FROM json_each(${json}))`;
}

export class PrismaAutopilotStore implements AutopilotStore {
  constructor(private readonly prisma: PrismaClient) {}

  async enabledCampaigns(): Promise<Campaign[]> {
    const rows = await this.prisma.campaign.findMany({
      where: { autopilotEnabled: true, status: "active" },
      orderBy: { id: "asc" },
    });
    return rows.map(toCampaign);
  }

  async library(campaignId: number): Promise<(LibraryItem & { link: string | null })[]> {
    const items = await this.prisma.contentItem.findMany({
      where: { campaignId },
      orderBy: { id: "asc" },
    });
    const ids = items.map((item) => item.id);
    // Human clicks as reports count them: bots never, one per visitor, post and hour.
    const clicks = await this.prisma.click.findMany({
      where: { bot: false, post: { contentItemId: { in: ids } } },
      select: { post: { select: { contentItemId: true } } },
      distinct: ["postId", "visitorHash", "hour"],
    });
    const metrics = await this.prisma.postMetricsLatest.findMany({
      where: { post: { contentItemId: { in: ids } } },
      select: { impressions: true, post: { select: { contentItemId: true } } },
    });
    const clicksOf = new Map<number, number>();
    for (const click of clicks) {
      const id = click.post.contentItemId as number;
      clicksOf.set(id, (clicksOf.get(id) ?? 0) + 1);
    }
    const impressionsOf = new Map<number, number>();
    for (const metric of metrics) {
      const id = metric.post.contentItemId as number;
      impressionsOf.set(id, (impressionsOf.get(id) ?? 0) + (metric.impressions ?? 0));
    }
    return items.map((item) => ({
      id: item.id,
      text: item.text,
      link: item.link,
      evergreen: item.evergreen,
      expiresOn: item.expiresOn,
      maxUses: item.maxUses,
      uses: item.uses,
      lastUsedAt: item.lastUsedAt,
      clicks: clicksOf.get(item.id) ?? 0,
      impressions: impressionsOf.get(item.id) ?? 0,
    }));
  }

  async takenSlots(campaignId: number, from: Date, until: Date): Promise<Date[]> {
    const window = { gte: from, lte: until };
    const [posts, slots] = await Promise.all([
      this.prisma.post.findMany({
        where: { campaignId, scheduledAt: window, status: { notIn: UNHELD } },
        select: { scheduledAt: true },
      }),
      this.prisma.autopilotSlot.findMany({
        where: { campaignId, slotAt: window },
        select: { slotAt: true },
      }),
    ]);
    return [...posts.map((post) => post.scheduledAt), ...slots.map((slot) => slot.slotAt)];
  }

  async guildTexts(guildId: string, from: Date, until: Date): Promise<string[]> {
    const rows = await this.prisma.post.findMany({
      where: {
        campaign: { guildId },
        scheduledAt: { gte: from, lte: until },
        status: { notIn: UNHELD },
      },
      select: { text: true },
    });
    return rows.map((row) => row.text);
  }

  async fillSlots(fills: readonly SlotFill[]): Promise<Post[]> {
    const [first] = fills;
    if (first === undefined) return [];
    const provider = providerOfClient(this.prisma);
    try {
      return await this.prisma.$transaction(async (tx) => {
        // Fills of one guild take turns (SQLite writes one at a time anyway), so two instances
        // cannot both find a text or an item unused and post it twice.
        if (provider === "postgresql") {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`autopilot:${first.guildId}`}))`;
        }
        // Checked again under the lock: since the plan was made, another instance may have
        // filled a slot, posted a text or used an item.
        const texts = await takenTexts(tx, first.guildId, fills);
        const filled = new Set(
          (
            await tx.autopilotSlot.findMany({
              where: { campaignId: first.campaignId, slotAt: { in: fills.map((f) => f.slotAt) } },
              select: { slotAt: true },
            })
          ).map((slot) => slot.slotAt.getTime()),
        );
        const items = new Map(
          (
            await tx.contentItem.findMany({
              where: { id: { in: [...new Set(fills.map((fill) => fill.itemId))] } },
            })
          ).map((item) => [item.id, item]),
        );
        const accepted: SlotFill[] = [];
        for (const fill of fills) {
          const item = items.get(fill.itemId);
          if (filled.has(fill.slotAt.getTime()) || texts.has(fill.post.text)) continue;
          if (item === undefined) continue;
          if (!usableAt(item, fill.slotAt, fill.slotDate, fill.minRepeatDays)) continue;
          texts.add(fill.post.text);
          item.uses += 1;
          if (item.lastUsedAt === null || item.lastUsedAt < fill.slotAt)
            item.lastUsedAt = fill.slotAt;
          accepted.push(fill);
        }
        if (accepted.length === 0) return [];
        return insertFills(tx, provider, accepted, items);
      });
    } catch (error) {
      // A slot filled in the meantime after all: the unique row decides; the next run retries.
      if (isUniqueViolation(error)) return [];
      throw error;
    }
  }

  async recordDigest(
    campaign: Campaign,
    postIds: readonly number[],
    drafts: (digestId: number) => OutboxDraft[],
    morningOf?: string,
  ): Promise<number | null> {
    const provider = providerOfClient(this.prisma);
    try {
      return await this.prisma.$transaction(async (tx) => {
        const digest = await tx.autopilotDigest.create({
          data: {
            campaignId: campaign.id,
            postIds: JSON.stringify(postIds),
            morningOf: morningOf ?? null,
          },
        });
        await enqueueOutbox(tx, provider, drafts(digest.id));
        return digest.id;
      });
    } catch (error) {
      // This morning's digest was written already (by an earlier run or another instance).
      if (morningOf !== undefined && isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async waitingPosts(campaignId: number, from: Date, until: Date): Promise<Post[]> {
    const rows = await this.prisma.post.findMany({
      where: {
        campaignId,
        createdBy: AUTOPILOT_ACTOR,
        status: "pending_approval",
        scheduledAt: { gte: from, lte: until },
      },
      include: withLink,
      orderBy: { scheduledAt: "asc" },
    });
    return rows.map(toPost);
  }

  async digest(digestId: number): Promise<{ guildId: string; postIds: number[] } | null> {
    const row = await this.prisma.autopilotDigest.findUnique({
      where: { id: digestId },
      include: { campaign: { select: { guildId: true } } },
    });
    if (row === null) return null;
    return { guildId: row.campaign.guildId, postIds: postIdsSchema.parse(JSON.parse(row.postIds)) };
  }

  async claimDryNotice(campaignId: number, date: string, drafts: OutboxDraft[]): Promise<boolean> {
    const provider = providerOfClient(this.prisma);
    try {
      await this.prisma.$transaction(async (tx) => {
        await tx.autopilotDryNotice.create({ data: { campaignId, date } });
        await enqueueOutbox(tx, provider, drafts);
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
