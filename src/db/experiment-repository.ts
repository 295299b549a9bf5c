import { z } from "zod";
import type { AuditNote } from "../domain/audit.ts";
import type { ExperimentObservations } from "../domain/experiment-observations.ts";
import type { ExperimentSlots } from "../domain/experiment-queue.ts";
import { EXPERIMENT_METRICS } from "../domain/experiment-verdict.ts";
import {
  EXPERIMENT_STATUSES,
  type Experiment,
  type ExperimentRepository,
  type ExperimentStatus,
  type NewExperiment,
} from "../domain/experiments.ts";
import type { PostNotices } from "../domain/ports.ts";
import type { NewPost, Post } from "../domain/posts.ts";
import type {
  Experiment as ExperimentRow,
  PrismaClient,
  ExperimentVariant as VariantRow,
} from "../generated/prisma/client.ts";
import { writeAudit } from "./audit-writer.ts";
import { providerOfClient } from "./client.ts";
import { insertPost } from "./post-repository.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

const metricSchema = z.enum(EXPERIMENT_METRICS);
const statusSchema = z.enum(EXPERIMENT_STATUSES);
const withVariants = { variants: { orderBy: { label: "asc" } } } as const;

/** Posts that count for an experiment: queued, going out or out; not those that never ran. */
const HELD_STATUSES = ["pending_approval", "approved", "publishing", "published"];

function toExperiment(row: ExperimentRow & { variants: VariantRow[] }): Experiment {
  return {
    id: row.id,
    campaignId: row.campaignId,
    name: row.name,
    metric: metricSchema.parse(row.metric),
    samplePerVariant: row.samplePerVariant,
    confidence: row.confidence,
    status: statusSchema.parse(row.status),
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    endedAt: row.endedAt,
    variants: row.variants.map((variant) => ({
      id: variant.id,
      label: variant.label,
      text: variant.text,
      contentItemId: variant.contentItemId,
    })),
  };
}

export class PrismaExperimentRepository implements ExperimentRepository, ExperimentSlots {
  constructor(private readonly prisma: PrismaClient) {}

  async create(experiment: NewExperiment, audit: AuditNote): Promise<Experiment> {
    const { variants, ...fields } = experiment;
    const row = await this.prisma.$transaction(async (tx) => {
      const created = await tx.experiment.create({
        data: { ...fields, variants: { create: variants } },
        include: { ...withVariants, campaign: { select: { guildId: true } } },
      });
      await writeAudit(
        tx,
        { guildId: created.campaign.guildId, targetType: "experiment", targetId: created.id },
        audit,
      );
      return created;
    });
    return toExperiment(row);
  }

  async findById(id: number): Promise<Experiment | null> {
    const row = await this.prisma.experiment.findUnique({ where: { id }, include: withVariants });
    return row === null ? null : toExperiment(row);
  }

  async list(
    guildId: string,
    filter: { statuses?: readonly ExperimentStatus[]; limit: number },
  ): Promise<Experiment[]> {
    const rows = await this.prisma.experiment.findMany({
      where: {
        campaign: { guildId },
        ...(filter.statuses === undefined ? {} : { status: { in: [...filter.statuses] } }),
      },
      orderBy: { id: "desc" },
      take: filter.limit,
      include: withVariants,
    });
    return rows.map(toExperiment);
  }

  async running(): Promise<Experiment[]> {
    const rows = await this.prisma.experiment.findMany({
      where: { status: "running" },
      orderBy: { id: "asc" },
      include: withVariants,
    });
    return rows.map(toExperiment);
  }

  async end(
    id: number,
    to: "finished" | "stopped",
    endedAt: Date,
    audit: AuditNote,
  ): Promise<Experiment | null> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.experiment.updateMany({
        where: { id, status: "running" },
        data: { status: to, endedAt },
      });
      if (count === 0) return null;
      const row = await tx.experiment.findUniqueOrThrow({
        where: { id },
        include: { ...withVariants, campaign: { select: { guildId: true } } },
      });
      await writeAudit(
        tx,
        { guildId: row.campaign.guildId, targetType: "experiment", targetId: id },
        audit,
      );
      return toExperiment(row);
    });
  }

  async observations(experimentId: number): Promise<ExperimentObservations> {
    const posts = await this.prisma.post.findMany({
      where: {
        experimentVariant: { experimentId },
        status: "published",
        publishedAt: { not: null },
      },
      select: {
        id: true,
        publishedAt: true,
        experimentVariant: { select: { label: true } },
        affiliateLink: { select: { code: true } },
      },
    });
    const postIds = posts.map((post) => post.id);
    const [snapshots, clicks, conversions] = await Promise.all([
      this.prisma.postMetrics.findMany({
        where: { postId: { in: postIds } },
        select: { postId: true, impressions: true, urlLinkClicks: true, recordedAt: true },
      }),
      this.prisma.click.findMany({
        where: { postId: { in: postIds }, bot: false },
        select: { postId: true, at: true, visitorHash: true, hour: true },
      }),
      // As the reports count revenue: approved, in the guild's currency.
      this.prisma.conversion.findMany({
        where: { postId: { in: postIds }, status: "approved", currency: null },
        select: { postId: true, clickId: true, payout: true, createdAt: true },
      }),
    ]);
    return {
      posts: posts.flatMap((post) =>
        post.publishedAt === null || post.experimentVariant === null
          ? []
          : [
              {
                postId: post.id,
                label: post.experimentVariant.label,
                publishedAt: post.publishedAt,
                tracked: post.affiliateLink?.code != null,
              },
            ],
      ),
      snapshots,
      clicks,
      conversions: conversions.map(({ createdAt, ...row }) => ({ ...row, at: createdAt })),
    };
  }

  async placed(experimentId: number): Promise<{ label: string; scheduledAt: Date }[]> {
    const rows = await this.prisma.post.findMany({
      where: { experimentVariant: { experimentId }, status: { in: HELD_STATUSES } },
      select: { scheduledAt: true, experimentVariant: { select: { label: true } } },
      orderBy: { scheduledAt: "asc" },
    });
    return rows.flatMap((row) =>
      row.experimentVariant === null
        ? []
        : [{ label: row.experimentVariant.label, scheduledAt: row.scheduledAt }],
    );
  }

  async queuePost(
    post: NewPost & { experimentVariantId: number },
    audit: AuditNote,
    notices: PostNotices,
  ): Promise<Post | null> {
    const provider = providerOfClient(this.prisma);
    try {
      return await this.prisma.$transaction(async (tx) => {
        // The claim first: a slot someone else holds ends the transaction before anything else.
        const slot = await tx.autopilotSlot.create({
          data: { campaignId: post.campaignId, slotAt: post.scheduledAt },
        });
        const created = await insertPost(tx, provider, post, audit, notices);
        await tx.autopilotSlot.update({ where: { id: slot.id }, data: { postId: created.id } });
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }
}
