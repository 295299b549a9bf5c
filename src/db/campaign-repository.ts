import type { AuditNote } from "../domain/audit.ts";
import {
  CAMPAIGN_STATUSES,
  type Campaign,
  type CampaignStatus,
  type NewCampaign,
  normaliseCampaignName,
  slugify,
} from "../domain/campaigns.ts";
import { DomainError, isDomainError } from "../domain/errors.ts";
import type { CampaignRepository, PageWindow } from "../domain/ports.ts";
import { scheduleSchema } from "../domain/schedule.ts";
import type { Campaign as CampaignRow, PrismaClient } from "../generated/prisma/client.ts";
import { writeAudit } from "./audit-writer.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

function toCampaign(row: CampaignRow): Campaign {
  const status = row.status as CampaignStatus;
  if (!CAMPAIGN_STATUSES.includes(status)) {
    throw new Error(`Campaign ${row.id} has an unknown status in the database: ${row.status}`);
  }
  const { liveSlug: _live, ...campaign } = row;
  return {
    ...campaign,
    status,
    schedule: scheduleSchema.parse(JSON.parse(row.schedule)),
  };
}

/** The slug a typed name would have; null for a name with no letters or digits. */
function slugOf(name: string): string | null {
  try {
    return slugify(normaliseCampaignName(name));
  } catch (error) {
    if (isDomainError(error)) return null;
    throw error;
  }
}

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
      if (isUniqueViolation(error)) {
        throw new DomainError(
          "campaign_name_taken",
          `A campaign called "${campaign.name}" (or one with the same short name "${campaign.slug}") already exists. Pick another name.`,
        );
      }
      throw error;
    }
  }

  /**
   * Names are matched through their slug, so case and spacing do not matter ("desk lamps" finds
   * "Desk Lamps"). A live campaign wins over archived ones of the same name, then the newest.
   */
  async findByName(guildId: string, name: string): Promise<Campaign | null> {
    const slug = slugOf(name);
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

  async changeStatus(
    id: number,
    from: CampaignStatus,
    to: CampaignStatus,
    audit: AuditNote,
  ): Promise<Campaign> {
    const row = await this.prisma.$transaction(async (tx) => {
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
      const updated = await tx.campaign.findUniqueOrThrow({ where: { id } });
      await writeAudit(
        tx,
        { guildId: updated.guildId, targetType: "campaign", targetId: id },
        audit,
      );
      return updated;
    });
    return toCampaign(row);
  }
}
