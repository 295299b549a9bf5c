import { z } from "zod";
import type { AuditNote } from "../domain/audit.ts";
import { APPROVAL_CHANNEL, type OutboxDraft } from "../domain/outbox.ts";
import type {
  PostMove,
  PostNotices,
  PostRepository,
  PostSweep,
  RecordedPost,
} from "../domain/ports.ts";
import {
  movedMeanwhile,
  nextStatus,
  POST_STATUSES,
  type PostStatus,
} from "../domain/post-lifecycle.ts";
import {
  formSubmitted,
  type NewAffiliateLink,
  type NewPost,
  type Post,
  type PostChanges,
  type PostCountFilter,
  type PostFilter,
  trackedLinkFor,
} from "../domain/posts.ts";
import type {
  AffiliateLink as AffiliateLinkRow,
  Campaign as CampaignRow,
  Post as PostRow,
  PrismaClient,
} from "../generated/prisma/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { type AuditTarget, auditRow, writeAudit, writeAudits } from "./audit-writer.ts";
import { toCampaign } from "./campaign-rows.ts";
import { providerOfClient } from "./client.ts";
import type { DatabaseProvider } from "./database-url.ts";
import { enqueueOutbox } from "./outbox-repository.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

type PostWithLink = PostRow & { affiliateLink: AffiliateLinkRow | null };

export const mediaSchema = z.array(z.string());
/** A status read from the database, checked: a value Herald does not know is an error. */
export const postStatusSchema = z.enum(POST_STATUSES);
const decisionSchema = z.enum(["approved", "rejected"]);

/** Posts that still hold their slot: everything not finished or abandoned. */
const LIVE_STATUSES: PostStatus[] = ["pending_approval", "approved", "publishing"];

export function toPost(row: PostWithLink): Post {
  return {
    id: row.id,
    campaignId: row.campaignId,
    text: row.text,
    media: mediaSchema.parse(JSON.parse(row.media)),
    affiliateLink:
      row.affiliateLink === null
        ? null
        : { originalUrl: row.affiliateLink.originalUrl, trackedUrl: row.affiliateLink.trackedUrl },
    scheduledAt: row.scheduledAt,
    status: postStatusSchema.parse(row.status),
    approval:
      row.approvalBy === null || row.approvalAt === null || row.approvalDecision === null
        ? null
        : {
            by: row.approvalBy,
            at: row.approvalAt,
            decision: decisionSchema.parse(row.approvalDecision),
            reason: row.approvalReason,
          },
    approvalMessage:
      row.approvalChannelId === null || row.approvalMessageId === null
        ? null
        : { channelId: row.approvalChannelId, messageId: row.approvalMessageId },
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    leaseUntil: row.leaseUntil,
    leaseOwner: row.leaseOwner,
    firstAttemptAt: row.firstAttemptAt,
    lastError: row.lastError,
    xPostId: row.xPostId,
    publishedAt: row.publishedAt,
    costUsd: row.costUsd,
    createdBy: row.createdBy,
    editedBy: row.editedBy,
    experimentVariantId: row.experimentVariantId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toData(changes: PostChanges & { status: PostStatus }): Prisma.PostUpdateManyMutationInput {
  const { approval, media, ...rest } = changes;
  const data: Prisma.PostUpdateManyMutationInput = { ...rest };
  if (media !== undefined) data.media = JSON.stringify(media);
  if (approval !== undefined) {
    data.approvalBy = approval?.by ?? null;
    data.approvalAt = approval?.at ?? null;
    data.approvalDecision = approval?.decision ?? null;
    data.approvalReason = approval?.reason ?? null;
  }
  return data;
}

/** The columns of a post's tracked link. */
export function affiliateLinkRow(link: NewAffiliateLink, postId: number) {
  return {
    originalUrl: link.originalUrl,
    utmSource: link.utm.source ?? "x",
    utmMedium: link.utm.medium ?? "social",
    utmCampaign: link.utm.campaign,
    utmContent: String(postId),
    trackedUrl: trackedLinkFor(link, postId),
  };
}

export const withLink = { affiliateLink: true } as const;

/** What a post's messages name: its link, and its campaign with the account's handle. */
export const withCampaign = {
  ...withLink,
  campaign: { include: { xAccount: { select: { handle: true } } } },
} as const;

type PostWithCampaign = PostWithLink & {
  campaign: CampaignRow & { xAccount: { handle: string } | null };
};

export function recordedPost(row: PostWithCampaign): RecordedPost {
  return {
    post: toPost(row),
    guildId: row.campaign.guildId,
    campaignName: row.campaign.name,
    accountHandle: row.campaign.xAccount?.handle ?? null,
    campaign: toCampaign(row.campaign),
  };
}

/** Writes the messages `notices` renders from the post as it is now, in the caller's transaction. */
async function enqueuePostNotices(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  id: number,
  notices: PostNotices | undefined,
): Promise<void> {
  if (notices === undefined) return;
  const row = await tx.post.findUniqueOrThrow({ where: { id }, include: withCampaign });
  await enqueueOutbox(tx, provider, notices(recordedPost(row)));
}

function postTarget(row: { id: number; campaign: { guildId: string } }): AuditTarget {
  return { guildId: row.campaign.guildId, targetType: "post", targetId: row.id };
}

function postsMatching(filter: PostCountFilter): Prisma.PostWhereInput {
  return {
    campaign: { guildId: filter.guildId },
    ...(filter.campaignId === undefined ? {} : { campaignId: filter.campaignId }),
    ...(filter.status === undefined ? {} : { status: filter.status }),
    ...(filter.statuses === undefined ? {} : { AND: { status: { in: [...filter.statuses] } } }),
    ...(filter.id === undefined ? {} : { id: filter.id }),
    ...(filter.search === undefined || filter.search === ""
      ? {}
      : { text: { contains: filter.search } }),
  };
}

/** `posts` ordered as `ids` lists them (a database returns rows in an order of its own). */
function inOrderOf(ids: readonly number[], posts: Post[]): Post[] {
  const byId = new Map(posts.map((post) => [post.id, post]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * Applies each move as one conditional update inside the caller's transaction, with its audit
 * event; the result for a move is the moved post, or null where someone else moved it first.
 */
export async function applyPostMoves(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  moves: readonly PostMove[],
  together?: (recorded: readonly RecordedPost[]) => OutboxDraft[],
): Promise<(Post | null)[]> {
  // A move whose post left `from` changes nothing. In id order, so that two instances' batches
  // lock shared rows in the same order (no deadlock).
  const applied = moves.map(() => false);
  const byIdOrder = [...moves.keys()].sort(
    (a, b) => (moves[a]?.id ?? 0) - (moves[b]?.id ?? 0) || a - b,
  );
  for (const i of byIdOrder) {
    const move = moves[i] as PostMove;
    const { count } = await tx.post.updateMany({
      where: {
        id: move.id,
        status: move.from,
        ...(move.leaseOwner === undefined ? {} : { leaseOwner: move.leaseOwner }),
      },
      data: toData(move.changes),
    });
    applied[i] = count === 1;
  }
  const moved = await tx.post.findMany({
    where: { id: { in: moves.filter((_, i) => applied[i]).map((move) => move.id) } },
    include: withCampaign,
  });
  const byId = new Map(moved.map((row) => [row.id, row]));
  await writeAudits(
    tx,
    provider,
    moves.flatMap((move, i) => {
      const row = byId.get(move.id);
      if (!applied[i] || row === undefined) return [];
      return [auditRow(postTarget(row), move.audit)];
    }),
  );
  // The messages a move reports commit with it, or not at all (design.md section 11).
  const recorded = moves.map((move, i) => {
    const row = byId.get(move.id);
    return !applied[i] || row === undefined ? null : recordedPost(row);
  });
  const appliedOnly = recorded.filter((entry): entry is RecordedPost => entry !== null);
  await enqueueOutbox(tx, provider, [
    ...moves.flatMap((move, i) => {
      const entry = recorded[i];
      return entry == null || move.notices === undefined ? [] : move.notices(entry);
    }),
    ...(together === undefined || appliedOnly.length === 0 ? [] : together(appliedOnly)),
  ]);
  return moves.map((move, i) => {
    const row = applied[i] ? byId.get(move.id) : undefined;
    return row === undefined ? null : toPost(row);
  });
}

/** Posts a new approval channel shows at most at once: the soonest scheduled. */
const MAX_SHOWN_WAITING = 100;

/**
 * The guild's approval channel is now `channelId`, inside the caller's transaction (the settings
 * change): messages waiting for an approval channel are due at once, and each post waiting for
 * approval that is not shown there gets `notices` (its approval.create). Returns how many posts.
 */
export async function showWaitingPosts(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  guildId: string,
  channelId: string,
  notices: PostNotices,
): Promise<number> {
  await tx.outboxMessage.updateMany({
    where: { guildId, channelId: APPROVAL_CHANNEL, state: "pending" },
    data: { nextAttemptAt: null },
  });
  const rows = await tx.post.findMany({
    where: {
      campaign: { guildId },
      status: "pending_approval",
      OR: [{ approvalChannelId: null }, { approvalChannelId: { not: channelId } }],
    },
    include: withCampaign,
    orderBy: [{ scheduledAt: "asc" }, { id: "asc" }],
    take: MAX_SHOWN_WAITING,
  });
  await enqueueOutbox(
    tx,
    provider,
    rows.flatMap((row) => notices(recordedPost(row))),
  );
  return rows.length;
}

/**
 * Moves the campaign's posts that are in one of the sweep's statuses, inside the caller's
 * transaction (the campaign change they follow), each with its audit event.
 */
export async function sweepCampaignPosts(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  campaignId: number,
  sweep: PostSweep,
): Promise<Post[]> {
  const rows = await tx.post.findMany({
    where: { campaignId, status: { in: [...sweep.statuses] } },
    select: { id: true, status: true },
  });
  const moves = rows.map((row): PostMove => {
    const from = postStatusSchema.parse(row.status);
    const to = nextStatus(from, sweep.event, row.id);
    return {
      id: row.id,
      from,
      changes: { ...sweep.changes, status: to },
      audit: { ...sweep.audit, payload: { from, to, ...sweep.audit.payload } },
      ...(sweep.notices === undefined ? {} : { notices: sweep.notices }),
    };
  });
  const moved = await applyPostMoves(tx, provider, moves);
  return moved.filter((post): post is Post => post !== null);
}

/**
 * Creates the post, its affiliate link, its audit event and the messages `notices` renders from
 * it, inside the caller's transaction.
 */
export async function insertPost(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  post: NewPost,
  audit: AuditNote,
  notices?: PostNotices,
): Promise<Post> {
  const { link, media, ...fields } = post;
  const created = await tx.post.create({ data: { ...fields, media: JSON.stringify(media) } });
  if (link !== null) {
    await tx.affiliateLink.create({
      data: { ...affiliateLinkRow(link, created.id), post: { connect: { id: created.id } } },
    });
  }
  const campaign = await tx.campaign.findUniqueOrThrow({ where: { id: post.campaignId } });
  await writeAudit(
    tx,
    { guildId: campaign.guildId, targetType: "post", targetId: created.id },
    audit,
  );
  await enqueuePostNotices(tx, provider, created.id, notices);
  return toPost(await tx.post.findUniqueOrThrow({ where: { id: created.id }, include: withLink }));
}

export class PrismaPostRepository implements PostRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async create(post: NewPost, audit: AuditNote, notices?: PostNotices): Promise<Post> {
    const provider = providerOfClient(this.prisma);
    try {
      return await this.prisma.$transaction((tx) => insertPost(tx, provider, post, audit, notices));
    } catch (error) {
      if (post.formId === undefined || !isUniqueViolation(error)) throw error;
      // Two deliveries of one form raced past the service's check: the index decides.
      throw formSubmitted(await this.findByFormId(post.formId));
    }
  }

  async edit(
    id: number,
    from: PostStatus,
    changes: PostChanges & { status: PostStatus },
    link: NewAffiliateLink | undefined,
    audit: AuditNote,
    notices?: PostNotices,
  ): Promise<Post> {
    const provider = providerOfClient(this.prisma);
    const row = await this.prisma.$transaction(async (tx) => {
      const [moved] = await applyPostMoves(tx, provider, [{ id, from, changes, audit }]);
      if (moved == null) throw movedMeanwhile(id, from, changes.status);
      if (link !== undefined) {
        // The link row is the post's own (one per post): replaced in place, tracked anew.
        const fields = affiliateLinkRow(link, id);
        await tx.post.update({
          where: { id },
          data: {
            affiliateLink: {
              upsert: { create: fields, update: { ...fields, createdAt: new Date() } },
            },
          },
        });
      }
      // Rendered after the link is replaced: the message shows the post as X would receive it.
      await enqueuePostNotices(tx, provider, id, notices);
      return tx.post.findUniqueOrThrow({ where: { id }, include: withLink });
    });
    return toPost(row);
  }

  async findById(id: number): Promise<Post | null> {
    const row = await this.prisma.post.findUnique({ where: { id }, include: withLink });
    return row === null ? null : toPost(row);
  }

  async findByFormId(formId: string): Promise<Post | null> {
    const row = await this.prisma.post.findUnique({ where: { formId }, include: withLink });
    return row === null ? null : toPost(row);
  }

  async list(filter: PostFilter): Promise<Post[]> {
    const rows = await this.prisma.post.findMany({
      where: postsMatching(filter),
      orderBy: [{ scheduledAt: "desc" }, { id: "desc" }],
      ...(filter.offset === undefined ? {} : { skip: filter.offset }),
      take: filter.limit,
      include: withLink,
    });
    return rows.map(toPost);
  }

  count(filter: PostCountFilter): Promise<number> {
    return this.prisma.post.count({ where: postsMatching(filter) });
  }

  async transition(
    id: number,
    from: PostStatus,
    changes: PostChanges & { status: PostStatus },
    audit: AuditNote,
    notices?: PostNotices,
  ): Promise<Post> {
    const [moved] = await this.transitionAll([
      { id, from, changes, audit, ...(notices === undefined ? {} : { notices }) },
    ]);
    if (moved == null) throw movedMeanwhile(id, from, changes.status);
    return moved;
  }

  async transitionAll(
    moves: readonly PostMove[],
    together?: (recorded: readonly RecordedPost[]) => OutboxDraft[],
  ): Promise<(Post | null)[]> {
    if (moves.length === 0) return [];
    return this.prisma.$transaction((tx) =>
      applyPostMoves(tx, providerOfClient(this.prisma), moves, together),
    );
  }

  async countInCampaign(campaignId: number, statuses: readonly PostStatus[]): Promise<number> {
    return this.prisma.post.count({ where: { campaignId, status: { in: [...statuses] } } });
  }

  async claim(ids: readonly number[], now: Date, leaseUntil: Date, owner: string): Promise<Post[]> {
    if (ids.length === 0) return [];
    if (providerOfClient(this.prisma) === "postgresql") {
      return this.claimShared(ids, now, leaseUntil, owner);
    }
    const claimed = await this.prisma.$transaction(async (tx) => {
      // The claim itself is this one conditional update: whoever flips a post's status gets it.
      const rows = await tx.post.updateManyAndReturn({
        where: { id: { in: [...ids] }, status: "approved", scheduledAt: { lte: now } },
        data: { status: "publishing", leaseUntil, leaseOwner: owner, attempts: { increment: 1 } },
        include: { ...withLink, campaign: { select: { guildId: true } } },
      });
      // The first attempt's instant is kept from then on (Prisma has no COALESCE in an update).
      const first = rows.filter((row) => row.firstAttemptAt === null);
      if (first.length > 0) {
        await tx.post.updateMany({
          where: { id: { in: first.map((row) => row.id) } },
          data: { firstAttemptAt: now },
        });
        for (const row of first) row.firstAttemptAt = now;
      }
      await writeAudits(
        tx,
        "sqlite",
        rows.map((row) =>
          auditRow(postTarget(row), {
            actor: "scheduler",
            action: "post.claim",
            payload: { attempt: row.attempts, leaseUntil: leaseUntil.toISOString(), owner },
          }),
        ),
      );
      return rows;
    });
    return inOrderOf(ids, claimed.map(toPost));
  }

  /**
   * The claim on PostgreSQL, where several instances share the database and walk the same due
   * list: one statement (claim and audit commit together) that skips a row another instance is
   * claiming right now instead of waiting for it, so posts already taken cost nothing.
   * Dates are cast: columns are UTC `timestamp(3)`, as Prisma writes them.
   */
  private async claimShared(
    ids: readonly number[],
    now: Date,
    leaseUntil: Date,
    owner: string,
  ): Promise<Post[]> {
    const at = new Date();
    const claimed = await this.prisma.$queryRaw<{ targetId: string }[]>`
      WITH claimed AS (
        UPDATE "Post"
           SET status = 'publishing', "leaseUntil" = ${leaseUntil}::timestamp, "leaseOwner" = ${owner},
               attempts = attempts + 1, "updatedAt" = ${at}::timestamp,
               "firstAttemptAt" = COALESCE("firstAttemptAt", ${now}::timestamp)
         WHERE id IN (SELECT id FROM "Post"
                       WHERE id IN (${Prisma.join(ids)}) AND status = 'approved'
                         AND "scheduledAt" <= ${now}::timestamp
                       FOR UPDATE SKIP LOCKED)
        RETURNING id, attempts, "campaignId")
      INSERT INTO "AuditEvent" ("guildId", actor, action, "targetType", "targetId", payload, "createdAt")
      SELECT c."guildId", 'scheduler', 'post.claim', 'post', claimed.id::text,
             json_build_object('attempt', claimed.attempts, 'leaseUntil', ${leaseUntil.toISOString()}::text, 'owner', ${owner}::text)::text,
             ${at}::timestamp
        FROM claimed JOIN "Campaign" c ON c.id = claimed."campaignId"
      RETURNING "targetId"`;
    if (claimed.length === 0) return [];
    const rows = await this.prisma.post.findMany({
      where: { id: { in: claimed.map((row) => Number(row.targetId)) } },
      include: withLink,
    });
    return inOrderOf(ids, rows.map(toPost));
  }

  async takenSlots(campaignId: number, from: Date): Promise<Date[]> {
    const rows = await this.prisma.post.findMany({
      where: { campaignId, status: { in: LIVE_STATUSES }, scheduledAt: { gte: from } },
      select: { scheduledAt: true },
      orderBy: { scheduledAt: "asc" },
    });
    return rows.map((row) => row.scheduledAt);
  }

  async textsNear(
    guildId: string,
    window: { from: Date; to: Date; excludePostId?: number | undefined },
  ): Promise<string[]> {
    const rows = await this.prisma.post.findMany({
      where: {
        campaign: { guildId },
        scheduledAt: { gte: window.from, lte: window.to },
        status: { notIn: ["rejected", "cancelled"] },
        ...(window.excludePostId === undefined ? {} : { id: { not: window.excludePostId } }),
      },
      select: { text: true },
    });
    return rows.map((row) => row.text);
  }
}
