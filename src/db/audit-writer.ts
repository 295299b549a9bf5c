import type { AuditNote } from "../domain/audit.ts";
import type { Prisma } from "../generated/prisma/client.ts";

export type AuditTarget = { guildId: string | null; targetType: string; targetId: string | number };

/** Writes an audit event inside the caller's transaction, so it commits with the change it records. */
export function writeAudit(
  tx: Prisma.TransactionClient,
  target: AuditTarget,
  note: AuditNote,
): Promise<unknown> {
  return tx.auditEvent.create({
    data: {
      guildId: target.guildId,
      actor: note.actor,
      action: note.action,
      targetType: target.targetType,
      targetId: String(target.targetId),
      payload: JSON.stringify(note.payload ?? {}),
    },
  });
}
