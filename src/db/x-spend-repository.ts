import { isXCallKind } from "../domain/x-prices.ts";
import type { BudgetLevel, BudgetNoticeClaims, SpendRow, XSpendLedger } from "../domain/x-spend.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

/** The XSpend ledger and the budget notices' "sent for" marks on Settings. */
export class PrismaXSpendRepository implements XSpendLedger, BudgetNoticeClaims {
  constructor(private readonly prisma: PrismaClient) {}

  async add(rows: readonly SpendRow[]): Promise<void> {
    for (const row of rows) {
      const key = { day: row.day, xAccountId: row.xAccountId, kind: row.kind };
      const upsert = () =>
        this.prisma.xSpend.upsert({
          where: { day_xAccountId_kind: key },
          create: { ...key, units: row.units, usd: row.usd },
          update: { units: { increment: row.units }, usd: { increment: row.usd } },
        });
      try {
        await upsert();
      } catch (error) {
        // Another instance created the day's row between this one's look and its insert.
        if (!isUniqueViolation(error)) throw error;
        await upsert();
      }
    }
  }

  async rows(filter: {
    guildId: string;
    xAccountIds?: readonly number[] | undefined;
    fromDay: string;
    toDay: string;
  }): Promise<SpendRow[]> {
    const rows = await this.prisma.xSpend.findMany({
      where: {
        day: { gte: filter.fromDay, lte: filter.toDay },
        xAccount: { guildId: filter.guildId },
        ...(filter.xAccountIds === undefined
          ? {}
          : { xAccountId: { in: [...filter.xAccountIds] } }),
      },
      select: { day: true, xAccountId: true, kind: true, units: true, usd: true },
    });
    return rows.map((row) => {
      if (!isXCallKind(row.kind)) {
        throw new Error(`XSpend has an unknown kind in the database: ${row.kind}`);
      }
      return { ...row, kind: row.kind };
    });
  }

  /** One conditional update: of several instances passing the threshold, one sends the notice. */
  async claim(guildId: string, level: BudgetLevel, key: string): Promise<boolean> {
    const field = level === "warning" ? "xBudgetWarnedFor" : "xBudgetReachedFor";
    const { count } = await this.prisma.settings.updateMany({
      where: { guildId, OR: [{ [field]: null }, { [field]: { not: key } }] },
      data: { [field]: key },
    });
    return count === 1;
  }
}
