import { z } from "zod";
import { AUTOPILOT_ACTOR, type AutopilotStore, type SlotFill } from "../domain/autopilot.ts";
import type { LibraryItem } from "../domain/autopilot-plan.ts";
import { UNIQUE_TEXT_DAYS } from "../domain/autopilot-plan.ts";
import type { Campaign } from "../domain/campaigns.ts";
import { normaliseForDuplicate } from "../domain/content-policy.ts";
import type { OutboxDraft } from "../domain/outbox.ts";
import type { Post } from "../domain/posts.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { toCampaign } from "./campaign-row.ts";
import { type PrismaClient, providerOfClient } from "./client.ts";
import { enqueueOutbox } from "./outbox-repository.ts";
import { insertPost, toPost, withLink } from "./post-repository.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

const DAY_MS = 86_400_000;

const postIdsSchema = z.array(z.number().int().positive());

/** Posts that hold their slot: everything but what was turned down or called off. */
const UNHELD = ["rejected", "cancelled"];

/** Whether a post of the guild within UNIQUE_TEXT_DAYS of the slot has the same text. */
async function textTaken(tx: Prisma.TransactionClient, fill: SlotFill): Promise<boolean> {
  const window = UNIQUE_TEXT_DAYS * DAY_MS;
  const rows = await tx.post.findMany({
    where: {
      campaign: { guildId: fill.guildId },
      scheduledAt: {
        gte: new Date(fill.slotAt.getTime() - window),
        lte: new Date(fill.slotAt.getTime() + window),
      },
      status: { notIn: UNHELD },
    },
    select: { text: true },
  });
  const text = normaliseForDuplicate(fill.post.text);
  return rows.some((row) => normaliseForDuplicate(row.text) === text);
}

/**
 * Counts the item's use at the slot, only while it is still usable there: not spent, and not used
 * within `minRepeatDays` of the slot. One conditional update, so of two instances racing for the
 * item, the second sees the first's use.
 */
async function claimItem(tx: Prisma.TransactionClient, fill: SlotFill): Promise<boolean> {
  const gap = fill.minRepeatDays * DAY_MS;
  const item = await tx.contentItem.findUnique({ where: { id: fill.itemId } });
  if (item === null) return false;
  const later = item.lastUsedAt === null || item.lastUsedAt < fill.slotAt;
  const { count } = await tx.contentItem.updateMany({
    where: {
      id: fill.itemId,
      OR: [
        { lastUsedAt: null },
        { lastUsedAt: { lte: new Date(fill.slotAt.getTime() - gap) } },
        { lastUsedAt: { gte: new Date(fill.slotAt.getTime() + gap) } },
      ],
      AND: [
        { OR: [{ evergreen: true }, { uses: 0 }] },
        ...(item.maxUses === null ? [] : [{ uses: { lt: item.maxUses } }]),
      ],
    },
    data: { uses: { increment: 1 }, ...(later ? { lastUsedAt: fill.slotAt } : {}) },
  });
  return count === 1;
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

  async fillSlot(fill: SlotFill): Promise<Post | null> {
    const provider = providerOfClient(this.prisma);
    try {
      return await this.prisma.$transaction(async (tx) => {
        // Fills of one guild take turns (SQLite writes one at a time anyway), so two instances
        // cannot both find a text unused and post it from two accounts.
        if (provider === "postgresql") {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`autopilot:${fill.guildId}`}))`;
        }
        if (await textTaken(tx, fill)) return null;
        if (!(await claimItem(tx, fill))) return null;
        const slot = await tx.autopilotSlot.create({
          data: { campaignId: fill.campaignId, slotAt: fill.slotAt },
        });
        const post = await insertPost(tx, fill.post, fill.audit);
        await tx.autopilotSlot.update({ where: { id: slot.id }, data: { postId: post.id } });
        return post;
      });
    } catch (error) {
      // Another instance (or an earlier run) filled this slot: the unique row decides.
      if (isUniqueViolation(error)) return null;
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
