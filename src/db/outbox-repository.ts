import { z } from "zod";
import {
  OUTBOX_KINDS,
  type OutboxDraft,
  type OutboxMessage,
  type OutboxStore,
  type OutboxWriter,
  type SentMessage,
} from "../domain/outbox.ts";
import type { OutboxMessage as OutboxRow, PrismaClient } from "../generated/prisma/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { providerOfClient } from "./client.ts";
import type { DatabaseProvider } from "./database-url.ts";

const kindSchema = z.enum(OUTBOX_KINDS);
const stateSchema = z.enum(["pending", "sent", "dropped"]);
const payloadSchema = z.record(z.string(), z.unknown());

/**
 * Writes messages inside the caller's transaction, so they commit with the state change they
 * report (or not at all). Call the dispatcher's `wake()` once the transaction has committed.
 * One statement with the rows as one JSON parameter, as writeAudits does: the runner's group
 * commit calls this for every batch, and Prisma's createMany costs ~2 ms per call to plan.
 */
export async function enqueueOutbox(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  drafts: readonly OutboxDraft[],
  at: Date = new Date(),
): Promise<void> {
  if (drafts.length === 0) return;
  const json = JSON.stringify(
    drafts.map((draft) => ({
      guildId: draft.guildId,
      channelId: draft.channelId,
      kind: draft.kind,
      payload: JSON.stringify(draft.payload),
      targetPostId: draft.targetPostId ?? null,
      targetMessageId: draft.targetMessageId ?? null,
    })),
  );
  if (provider === "postgresql") {
    await tx.$executeRaw`
      INSERT INTO "OutboxMessage" ("guildId", "channelId", kind, payload, "targetPostId", "targetMessageId", "createdAt")
      SELECT r."guildId", r."channelId", r.kind, r.payload, r."targetPostId", r."targetMessageId", ${at}::timestamp
        FROM json_to_recordset(${json}::json)
          AS r("guildId" text, "channelId" text, kind text, payload text, "targetPostId" integer, "targetMessageId" text)`;
    return;
  }
  await tx.$executeRaw`
    INSERT INTO "OutboxMessage" (guildId, channelId, kind, payload, targetPostId, targetMessageId, createdAt)
    SELECT value ->> 'guildId', value ->> 'channelId', value ->> 'kind', value ->> 'payload',
           value ->> 'targetPostId', value ->> 'targetMessageId', ${at}
      FROM json_each(${json})`;
}

function toMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    guildId: row.guildId,
    channelId: row.channelId,
    kind: kindSchema.parse(row.kind),
    payload: payloadSchema.parse(JSON.parse(row.payload)),
    ...(row.targetPostId === null ? {} : { targetPostId: row.targetPostId }),
    ...(row.targetMessageId === null ? {} : { targetMessageId: row.targetMessageId }),
    state: stateSchema.parse(row.state),
    attempts: row.attempts,
    createdAt: row.createdAt,
  };
}

/** A row that may be sent now: not waiting for a retry, and nobody holds a live lease on it. */
function dueNow(now: Date): Prisma.OutboxMessageWhereInput {
  return {
    state: "pending",
    AND: [
      { OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
      { OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
    ],
  };
}

export class PrismaOutboxRepository implements OutboxStore, OutboxWriter {
  constructor(private readonly prisma: PrismaClient) {}

  /** Writes `drafts` in a transaction of their own (a message that reports no state change). */
  enqueue(drafts: readonly OutboxDraft[], at?: Date): Promise<void> {
    return this.prisma.$transaction((tx) =>
      enqueueOutbox(tx, providerOfClient(this.prisma), drafts, at),
    );
  }

  async claimDue(
    owner: string,
    now: Date,
    leaseUntil: Date,
    limit: number,
  ): Promise<OutboxMessage[]> {
    const candidates = await this.heads();
    if (candidates.length === 0) return [];
    const due = await this.prisma.outboxMessage.findMany({
      where: { id: { in: candidates }, ...dueNow(now) },
      select: { id: true },
      orderBy: { id: "asc" },
      take: limit,
    });
    const ids = due.map((row) => row.id);
    if (ids.length === 0) return [];
    const claimed =
      providerOfClient(this.prisma) === "postgresql"
        ? await this.claimShared(ids, owner, now, leaseUntil)
        : // SQLite has one writer: the conditional update itself decides who gets a row.
          await this.prisma.outboxMessage.updateManyAndReturn({
            where: { id: { in: ids }, ...dueNow(now) },
            data: { leaseUntil, leaseOwner: owner, attempts: { increment: 1 } },
          });
    return claimed.map(toMessage).sort((a, b) => a.id - b.id);
  }

  /** As Post claims on PostgreSQL: rows another instance is claiming right now are skipped. */
  private async claimShared(
    ids: readonly number[],
    owner: string,
    now: Date,
    leaseUntil: Date,
  ): Promise<OutboxRow[]> {
    const taken = await this.prisma.$queryRaw<{ id: number }[]>`
      UPDATE "OutboxMessage"
         SET "leaseUntil" = ${leaseUntil}::timestamp, "leaseOwner" = ${owner},
             attempts = attempts + 1
       WHERE id IN (SELECT id FROM "OutboxMessage"
                     WHERE id IN (${Prisma.join(ids)}) AND state = 'pending'
                       AND ("nextAttemptAt" IS NULL OR "nextAttemptAt" <= ${now}::timestamp)
                       AND ("leaseUntil" IS NULL OR "leaseUntil" < ${now}::timestamp)
                     FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    if (taken.length === 0) return [];
    return this.prisma.outboxMessage.findMany({
      where: { id: { in: taken.map((row) => row.id) } },
    });
  }

  async markSent(id: number, owner: string, sent: SentMessage, now: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.outboxMessage.updateMany({
        where: { id, state: "pending", leaseOwner: owner },
        data: {
          state: "sent",
          sentMessageId: sent.messageId,
          settledAt: now,
          leaseUntil: null,
          lastError: null,
        },
      });
      if (count === 0) return false;
      const row = await tx.outboxMessage.findUniqueOrThrow({ where: { id } });
      if (row.kind === "approval.create" && row.targetPostId !== null) {
        // The channel it went to, not the row's: that may say "the approval channel".
        await tx.post.updateMany({
          where: { id: row.targetPostId },
          data: { approvalChannelId: sent.channelId, approvalMessageId: sent.messageId },
        });
      }
      return true;
    });
  }

  async retryLater(id: number, owner: string, at: Date, error: string): Promise<boolean> {
    const { count } = await this.prisma.outboxMessage.updateMany({
      where: { id, state: "pending", leaseOwner: owner },
      data: { nextAttemptAt: at, leaseUntil: null, lastError: error.slice(0, 1000) },
    });
    return count === 1;
  }

  async drop(id: number, owner: string, error: string, now: Date): Promise<boolean> {
    const { count } = await this.prisma.outboxMessage.updateMany({
      where: { id, state: "pending", leaseOwner: owner },
      data: { state: "dropped", settledAt: now, leaseUntil: null, lastError: error.slice(0, 1000) },
    });
    return count === 1;
  }

  async releaseAllLeases(): Promise<number> {
    const { count } = await this.prisma.outboxMessage.updateMany({
      where: { state: "pending", leaseUntil: { not: null } },
      data: { leaseUntil: null, leaseOwner: null },
    });
    return count;
  }

  async nextDueAt(): Promise<Date | null> {
    const heads = await this.prisma.outboxMessage.findMany({
      where: { id: { in: await this.heads() } },
      select: { nextAttemptAt: true, leaseUntil: true },
    });
    if (heads.length === 0) return null;
    // A lease is taken over once it ended before now (strictly), so look 1 ms after it ends.
    const at = heads.map((row) =>
      Math.max(row.nextAttemptAt?.getTime() ?? 0, (row.leaseUntil?.getTime() ?? -1) + 1),
    );
    return new Date(Math.min(...at));
  }

  /**
   * The head of each channel: its oldest pending row. Later rows wait for it, so a channel's
   * messages arrive in the order they were written, retries included.
   */
  private async heads(): Promise<number[]> {
    const heads = await this.prisma.outboxMessage.groupBy({
      by: ["guildId", "channelId"],
      where: { state: "pending" },
      _min: { id: true },
    });
    return heads
      .map((head) => head._min.id)
      .filter((id): id is number => id !== null)
      .sort((a, b) => a - b);
  }
}
