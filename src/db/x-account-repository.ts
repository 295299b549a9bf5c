import type { AuditNote } from "../domain/audit.ts";
import type { Campaign } from "../domain/campaigns.ts";
import { DomainError } from "../domain/errors.ts";
import type { OutboxDraft } from "../domain/outbox.ts";
import type { XAccountRepository } from "../domain/ports.ts";
import {
  openCredentials,
  type SecretBox,
  sealCredentials,
  type XCredentials,
} from "../domain/secrets.ts";
import {
  type NewXAccount,
  normaliseHandle,
  X_ACCOUNT_STATUSES,
  type XAccount,
  type XAccountBudget,
  type XAccountStatus,
} from "../domain/x-accounts.ts";
import type { PrismaClient, XAccount as XAccountRow } from "../generated/prisma/client.ts";
import { writeAudit } from "./audit-writer.ts";
import { toCampaign } from "./campaign-rows.ts";
import { providerOfClient } from "./client.ts";
import { enqueueOutbox } from "./outbox-repository.ts";

function toXAccount(row: XAccountRow): XAccount {
  const status = row.status as XAccountStatus;
  if (!X_ACCOUNT_STATUSES.includes(status)) {
    throw new Error(`X account ${row.id} has an unknown status in the database: ${row.status}`);
  }
  const { credentials: _sealed, ...account } = row;
  return { ...account, status };
}

/**
 * Binds sealed credentials to their row, so a value copied onto another account fails to open
 * instead of posting as the wrong account.
 */
function sealingContext(guildId: string, handle: string): string {
  return `x-account:${guildId}:${handle}`;
}

export class PrismaXAccountRepository implements XAccountRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly box: SecretBox,
  ) {}

  async save(account: NewXAccount, audit: AuditNote): Promise<XAccount> {
    const handle = normaliseHandle(account.handle);
    const credentials = sealCredentials(
      this.box,
      account.credentials,
      sealingContext(account.guildId, handle),
    );
    const fields = {
      xUserId: account.xUserId,
      credentials,
      handle,
      status: "active",
    };
    const row = await this.prisma.$transaction(async (tx) => {
      const saved = await tx.xAccount.upsert({
        // Known by X's user id: connecting an account again, even under a new handle, replaces
        // its keys and handle and makes it active again.
        where: { guildId_xUserId: { guildId: account.guildId, xUserId: account.xUserId } },
        create: { guildId: account.guildId, ...fields },
        update: fields,
      });
      await writeAudit(
        tx,
        { guildId: saved.guildId, targetType: "x_account", targetId: saved.id },
        { ...audit, payload: { ...audit.payload, handle } },
      );
      return saved;
    });
    return toXAccount(row);
  }

  async findById(id: number): Promise<XAccount | null> {
    const row = await this.prisma.xAccount.findUnique({ where: { id } });
    return row === null ? null : toXAccount(row);
  }

  async list(guildId: string): Promise<XAccount[]> {
    const rows = await this.prisma.xAccount.findMany({
      where: { guildId },
      orderBy: { handle: "asc" },
    });
    return rows.map(toXAccount);
  }

  async credentialsOf(id: number): Promise<XCredentials> {
    const row = await this.prisma.xAccount.findUnique({ where: { id } });
    if (row === null) {
      throw new DomainError("invalid_input", `X account #${id} is not connected; use /x connect.`);
    }
    return openCredentials(this.box, row.credentials, sealingContext(row.guildId, row.handle));
  }

  async setStatus(id: number, status: XAccountStatus, audit: AuditNote): Promise<XAccount> {
    const row = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.xAccount.update({ where: { id }, data: { status } });
      await writeAudit(
        tx,
        { guildId: updated.guildId, targetType: "x_account", targetId: id },
        audit,
      );
      return updated;
    });
    return toXAccount(row);
  }

  async markInvalid(
    id: number,
    audit: AuditNote,
    notices: (account: XAccount) => OutboxDraft[],
  ): Promise<XAccount | null> {
    const provider = providerOfClient(this.prisma);
    const row = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.xAccount.updateMany({
        where: { id, status: "active" },
        data: { status: "invalid" },
      });
      if (count === 0) return null;
      const updated = await tx.xAccount.findUniqueOrThrow({ where: { id } });
      await writeAudit(
        tx,
        { guildId: updated.guildId, targetType: "x_account", targetId: id },
        audit,
      );
      await enqueueOutbox(tx, provider, notices(toXAccount(updated)));
      return updated;
    });
    return row === null ? null : toXAccount(row);
  }

  async setOwnsApp(id: number, ownsApp: boolean, audit: AuditNote): Promise<XAccount> {
    const row = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.xAccount.update({ where: { id }, data: { ownsApp } });
      await writeAudit(
        tx,
        { guildId: updated.guildId, targetType: "x_account", targetId: id },
        { ...audit, payload: { ownsApp, ...audit.payload } },
      );
      return updated;
    });
    return toXAccount(row);
  }

  async disconnect(
    id: number,
    audit: AuditNote,
    notices?: (account: XAccount, held: readonly Campaign[]) => OutboxDraft[],
  ): Promise<{ account: XAccount; held: Campaign[] } | null> {
    const provider = providerOfClient(this.prisma);
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.xAccount.updateMany({
        where: { id, status: { not: "disconnected" } },
        data: { status: "disconnected" },
      });
      if (count === 0) return null;
      const account = toXAccount(await tx.xAccount.findUniqueOrThrow({ where: { id } }));
      await writeAudit(
        tx,
        { guildId: account.guildId, targetType: "x_account", targetId: id },
        audit,
      );
      const rows = await tx.campaign.findMany({
        where: { xAccountId: id, status: { not: "archived" } },
        orderBy: [{ name: "asc" }, { id: "asc" }],
      });
      const held = rows.map(toCampaign);
      if (notices !== undefined) await enqueueOutbox(tx, provider, notices(account, held));
      return { account, held };
    });
  }

  async setBudget(id: number, budget: XAccountBudget, audit: AuditNote): Promise<XAccount> {
    const row = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.xAccount.update({
        where: { id },
        data: { ...budget },
      });
      await writeAudit(
        tx,
        { guildId: updated.guildId, targetType: "x_account", targetId: id },
        audit,
      );
      return updated;
    });
    return toXAccount(row);
  }

  async resealStale(): Promise<number> {
    const rows = await this.prisma.xAccount.findMany({
      select: { id: true, guildId: true, handle: true, credentials: true },
    });
    let resealed = 0;
    for (const row of rows) {
      if (!this.box.needsRotation(row.credentials)) continue;
      const context = sealingContext(row.guildId, row.handle);
      const credentials = sealCredentials(
        this.box,
        openCredentials(this.box, row.credentials, context),
        context,
      );
      // Conditional on the value read: a /x connect meanwhile already sealed with the current key.
      const { count } = await this.prisma.xAccount.updateMany({
        where: { id: row.id, credentials: row.credentials },
        data: { credentials },
      });
      resealed += count;
    }
    return resealed;
  }
}
