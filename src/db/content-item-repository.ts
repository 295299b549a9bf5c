import { z } from "zod";
import type { AuditNote } from "../domain/audit.ts";
import {
  type ContentItem,
  type ContentItemChanges,
  type ContentItemCountFilter,
  type ContentItemFilter,
  type ContentItemRepository,
  type ItemPerformance,
  itemNotFound,
  type NewContentItem,
} from "../domain/content-items.ts";
import type {
  ContentItem as ContentItemRow,
  Prisma,
  PrismaClient,
} from "../generated/prisma/client.ts";
import { writeAudit } from "./audit-writer.ts";

const stringList = z.array(z.string());

export function toContentItem(row: ContentItemRow): ContentItem {
  return {
    ...row,
    media: stringList.parse(JSON.parse(row.media)),
    tags: stringList.parse(JSON.parse(row.tags)),
  };
}

/** The columns of a new item: lists are stored as JSON text. */
export function contentItemData(item: NewContentItem): Prisma.ContentItemCreateManyInput {
  return { ...item, media: JSON.stringify(item.media), tags: JSON.stringify(item.tags) };
}

function changesData(changes: ContentItemChanges): Prisma.ContentItemUpdateInput {
  const { media, tags, ...rest } = changes;
  return {
    ...rest,
    ...(media === undefined ? {} : { media: JSON.stringify(media) }),
    ...(tags === undefined ? {} : { tags: JSON.stringify(tags) }),
  };
}

function itemsMatching(filter: ContentItemCountFilter): Prisma.ContentItemWhereInput {
  return {
    campaign: { guildId: filter.guildId },
    ...(filter.campaignId === undefined ? {} : { campaignId: filter.campaignId }),
    // Tags are stored as a JSON list of normalised words, so the quoted tag matches one whole tag.
    ...(filter.tag === undefined ? {} : { tags: { contains: JSON.stringify(filter.tag) } }),
    ...(filter.id === undefined ? {} : { id: filter.id }),
    ...(filter.search === undefined || filter.search === ""
      ? {}
      : { text: { contains: filter.search } }),
  };
}

const withGuild = { campaign: { select: { guildId: true } } } as const;

export class PrismaContentItemRepository implements ContentItemRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(item: NewContentItem, audit: AuditNote): Promise<ContentItem> {
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.contentItem.create({
        data: contentItemData(item),
        include: withGuild,
      });
      await writeAudit(tx, itemTarget(created), audit);
      return created;
    });
    const { campaign: _, ...item_ } = row;
    return toContentItem(item_);
  }

  async findById(id: number): Promise<ContentItem | null> {
    const row = await this.prisma.contentItem.findUnique({ where: { id } });
    return row === null ? null : toContentItem(row);
  }

  async list(filter: ContentItemFilter): Promise<ContentItem[]> {
    const rows = await this.prisma.contentItem.findMany({
      where: itemsMatching(filter),
      orderBy: { id: "desc" },
      skip: filter.offset ?? 0,
      take: filter.limit,
    });
    return rows.map(toContentItem);
  }

  count(filter: ContentItemCountFilter): Promise<number> {
    return this.prisma.contentItem.count({ where: itemsMatching(filter) });
  }

  async allOf(campaignId: number): Promise<ContentItem[]> {
    const rows = await this.prisma.contentItem.findMany({
      where: { campaignId },
      orderBy: { id: "asc" },
    });
    return rows.map(toContentItem);
  }

  async update(id: number, changes: ContentItemChanges, audit: AuditNote): Promise<ContentItem> {
    const row = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.contentItem.updateMany({
        where: { id },
        data: changesData(changes),
      });
      if (count === 0) throw itemNotFound(id);
      const updated = await tx.contentItem.findUniqueOrThrow({ where: { id }, include: withGuild });
      await writeAudit(tx, itemTarget(updated), audit);
      return updated;
    });
    const { campaign: _, ...item } = row;
    return toContentItem(item);
  }

  async remove(id: number, audit: AuditNote): Promise<ContentItem | null> {
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.contentItem.findUnique({ where: { id }, include: withGuild });
      if (row === null) return null;
      const { count } = await tx.contentItem.deleteMany({ where: { id } });
      if (count === 0) return null;
      await writeAudit(tx, itemTarget(row), audit);
      const { campaign: _, ...item } = row;
      return toContentItem(item);
    });
  }

  async performance(campaignId: number): Promise<Map<number, ItemPerformance>> {
    const rows = await this.prisma.postMetricsLatest.findMany({
      where: { post: { campaignId, status: "published", contentItemId: { not: null } } },
      select: { impressions: true, urlLinkClicks: true, post: { select: { contentItemId: true } } },
    });
    const byItem = new Map<number, ItemPerformance>();
    for (const row of rows) {
      const itemId = row.post.contentItemId;
      if (itemId === null) continue;
      const total = byItem.get(itemId) ?? { impressions: 0, clicks: 0 };
      total.impressions += row.impressions ?? 0;
      total.clicks += row.urlLinkClicks ?? 0;
      byItem.set(itemId, total);
    }
    return byItem;
  }
}

function itemTarget(row: { id: number; campaign: { guildId: string } }) {
  return { guildId: row.campaign.guildId, targetType: "content_item", targetId: row.id };
}
