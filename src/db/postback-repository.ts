import { randomBytes } from "node:crypto";
import { DEFAULT_CURRENCY } from "../domain/currency.ts";
import { writeAudit } from "./audit-writer.ts";
import type { PrismaClient } from "./client.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

/** What a network's postback reports for one click (validated by the postback route). */
export interface ConversionReport {
  clickId: string;
  txid: string;
  payout: number;
  status: "approved" | "pending" | "rejected";
  /** As sent, or the guild's currency when the network sent none. */
  currency: string;
}

/** What the postback route needs to know about the guild before it records anything. */
export interface PostbackReceiver {
  /** Null when no token was ever made: then every postback is refused. */
  token: string | null;
  /** What a payout sent without a currency is in. */
  currency: string;
}

export type ConversionOutcome = "stored" | "updated" | "repeat" | "unknown_click";

const POSTBACK_ACTOR = "postback";

/**
 * The guild's postback token and the conversions networks send to it. Each (click id, txid) is
 * one row, committed with its audit event before the sender is answered.
 */
export class PrismaPostbacks {
  constructor(private readonly prisma: PrismaClient) {}

  /** The guild's token, made on first use; `rotate` replaces it (the old URL stops working). */
  async token(guildId: string, rotate = false): Promise<string> {
    const current = await this.prisma.settings.findUnique({ where: { guildId } });
    if (current?.postbackToken != null && !rotate) return current.postbackToken;
    const token = randomBytes(24).toString("base64url");
    await this.prisma.settings.upsert({
      where: { guildId },
      create: { guildId, postbackToken: token },
      update: { postbackToken: token },
    });
    return token;
  }

  /** The stored token and the guild's currency, in one read per postback. */
  async receiver(guildId: string): Promise<PostbackReceiver> {
    const settings = await this.prisma.settings.findUnique({
      where: { guildId },
      select: { postbackToken: true, currency: true },
    });
    return {
      token: settings?.postbackToken ?? null,
      currency: settings?.currency ?? DEFAULT_CURRENCY,
    };
  }

  async record(guildId: string, report: ConversionReport): Promise<ConversionOutcome> {
    const click = await this.prisma.click.findUnique({
      where: { clickId: report.clickId },
      select: { postId: true },
    });
    if (click === null) return "unknown_click";
    const key = { clickId: report.clickId, txid: report.txid };
    try {
      return await this.prisma.$transaction(async (tx) => {
        const existing = await tx.conversion.findUnique({ where: { clickId_txid: key } });
        const same =
          existing !== null &&
          existing.status === report.status &&
          existing.payout === report.payout &&
          existing.currency === report.currency;
        if (same) return "repeat";
        const data = { payout: report.payout, status: report.status, currency: report.currency };
        const row =
          existing === null
            ? await tx.conversion.create({
                data: { ...key, ...data, guildId, postId: click.postId },
              })
            : await tx.conversion.update({ where: { id: existing.id }, data });
        await writeAudit(
          tx,
          { guildId, targetType: "conversion", targetId: row.id },
          {
            actor: POSTBACK_ACTOR,
            action: existing === null ? "conversion.stored" : "conversion.updated",
            payload: { postId: click.postId, ...key, ...data },
          },
        );
        return existing === null ? "stored" : "updated";
      });
    } catch (error) {
      // Another instance stored the same postback at the same moment: this one is the repeat.
      if (isUniqueViolation(error)) return "repeat";
      throw error;
    }
  }
}
