import type { AuditNote } from "../domain/audit.ts";
import {
  type Campaign,
  type CampaignChanges,
  type CampaignStatus,
  type NewCampaign,
  nameKey,
} from "../domain/campaigns.ts";
import { DomainError } from "../domain/errors.ts";
import type { CampaignRepository, CampaignUpdate, PageWindow, PostSweep } from "../domain/ports.ts";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { writeAudit } from "./audit-writer.ts";
import { toCampaign } from "./campaign-row.ts";
import { providerOfClient } from "./client.ts";
import { sweepCampaignPosts } from "./post-repository.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

export class PrismaCampaignRepository implements CampaignRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(campaign: NewCampaign, audit: AuditNote): Promise<Campaign> {
    try {
      const row = await this.prisma.$transaction(async (tx) => {
        const created = await tx.campaign.create({
          data: {
            ...campaign,
            liveSlug: campaign.slug,
            schedule: JSON.stringify(campaign.schedule),
          },
        });
        await writeAudit(
          tx,
          { guildId: created.guildId, targetType: "campaign", targetId: created.id },
          audit,
        );
        return created;
      });
      return toCampaign(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(campaign.name, campaign.slug);
      throw error;
    }
  }

  /**
   * Names are matched through their slug, so case and spacing do not matter ("desk lamps" finds
   * "Desk Lamps"). A live campaign wins over archived ones of the same name, then the newest.
   */
  async findByName(guildId: string, name: string): Promise<Campaign | null> {
    const slug = nameKey(name);
    if (slug === null) return null;
    const [row] = await this.prisma.campaign.findMany({
      where: { guildId, slug },
      orderBy: [{ liveSlug: { sort: "desc", nulls: "last" } }, { id: "desc" }],
      take: 1,
    });
    return row === undefined ? null : toCampaign(row);
  }

  async findById(id: number): Promise<Campaign | null> {
    const row = await this.prisma.campaign.findUnique({ where: { id } });
    return row === null ? null : toCampaign(row);
  }

  async list(guildId: string, window?: PageWindow): Promise<Campaign[]> {
    const rows = await this.prisma.campaign.findMany({
      where: { guildId },
      orderBy: [{ name: "asc" }, { id: "asc" }],
      ...(window === undefined ? {} : { skip: window.offset, take: window.limit }),
    });
    return rows.map(toCampaign);
  }

  count(guildId: string): Promise<number> {
    return this.prisma.campaign.count({ where: { guildId } });
  }

  async update(
    id: number,
    changes: CampaignChanges,
    audit: AuditNote,
    sweep?: PostSweep,
  ): Promise<CampaignUpdate> {
    const { schedule, ...fields } = changes;
    const data: Prisma.CampaignUpdateManyMutationInput = {
      ...fields,
      ...(schedule === undefined ? {} : { schedule: JSON.stringify(schedule) }),
      // The slug carries the name's uniqueness among live campaigns (see create).
      ...(changes.slug === undefined ? {} : { liveSlug: changes.slug }),
    };
    try {
      return await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.campaign.updateMany({
          where: { id, status: { not: "archived" } },
          data,
        });
        if (count === 0) {
          throw new DomainError(
            "campaign_state",
            "The campaign was archived while you were changing it; archived campaigns stay as they were.",
          );
        }
        return this.finish(tx, id, audit, sweep);
      });
    } catch (error) {
      if (isUniqueViolation(error) && changes.name !== undefined) {
        throw nameTaken(changes.name, changes.slug ?? "");
      }
      throw error;
    }
  }

  async changeStatus(
    id: number,
    from: CampaignStatus,
    to: CampaignStatus,
    audit: AuditNote,
    sweep?: PostSweep,
  ): Promise<CampaignUpdate> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.campaign.updateMany({
        where: { id, status: from },
        // Archiving frees the name for a new campaign; the archived one keeps its slug for reports.
        data: to === "archived" ? { status: to, liveSlug: null } : { status: to },
      });
      if (count === 0) {
        throw new DomainError(
          "campaign_state",
          `The campaign changed while you were working on it (it is no longer ${from}); look at it again with /campaign show.`,
        );
      }
      return this.finish(tx, id, audit, sweep);
    });
  }

  async adoptAccount(guildId: string, xAccountId: number, audit: AuditNote): Promise<Campaign[]> {
    const rows = await this.prisma.$transaction(async (tx) => {
      const orphans = await tx.campaign.findMany({
        where: { guildId, xAccountId: null, status: { not: "archived" } },
        select: { id: true },
      });
      const ids = orphans.map((row) => row.id);
      if (ids.length === 0) return [];
      // Conditional on having no account still: one given meanwhile through /campaign edit stays.
      await tx.campaign.updateMany({
        where: { id: { in: ids }, xAccountId: null },
        data: { xAccountId },
      });
      const adopted = await tx.campaign.findMany({
        where: { id: { in: ids }, xAccountId },
        orderBy: { id: "asc" },
      });
      for (const row of adopted) {
        await writeAudit(
          tx,
          { guildId, targetType: "campaign", targetId: row.id },
          {
            ...audit,
            payload: { ...audit.payload, xAccountId },
          },
        );
      }
      return adopted;
    });
    return rows.map(toCampaign);
  }

  /** The rest of a campaign change, in its transaction: audit event, then the posts that follow. */
  private async finish(
    tx: Prisma.TransactionClient,
    id: number,
    audit: AuditNote,
    sweep: PostSweep | undefined,
  ): Promise<CampaignUpdate> {
    const updated = await tx.campaign.findUniqueOrThrow({ where: { id } });
    await writeAudit(tx, { guildId: updated.guildId, targetType: "campaign", targetId: id }, audit);
    const posts =
      sweep === undefined
        ? []
        : await sweepCampaignPosts(tx, providerOfClient(this.prisma), id, sweep);
    return { campaign: toCampaign(updated), posts };
  }
}

function nameTaken(name: string, slug: string): DomainError {
  return new DomainError(
    "campaign_name_taken",
    `A campaign called "${name}" (or one with the same short name "${slug}") already exists. Pick another name.`,
  );
}
