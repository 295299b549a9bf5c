import { isXCallKind } from "../domain/x-prices.ts";
import type {
  BudgetLevel,
  BudgetNotice,
  BudgetWatch,
  SpendRow,
  XSpendLedger,
} from "../domain/x-spend.ts";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { providerOfClient } from "./client.ts";
import type { DatabaseProvider } from "./database-url.ts";
import { enqueueOutbox } from "./outbox-repository.ts";

/**
 * Adds to the row of the day, account and kind, creating it if need be, in one statement: of two
 * instances adding at once, neither fails on the unique key (and a failed statement would end a
 * PostgreSQL transaction).
 */
async function addRow(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  row: SpendRow,
): Promise<void> {
  const at = new Date();
  if (provider === "postgresql") {
    await tx.$executeRaw`
      INSERT INTO "XSpend" (day, "xAccountId", kind, units, usd, "updatedAt")
      VALUES (${row.day}, ${row.xAccountId}, ${row.kind}, ${row.units}, ${row.usd}, ${at}::timestamp)
      ON CONFLICT (day, "xAccountId", kind) DO UPDATE
        SET units = "XSpend".units + excluded.units, usd = "XSpend".usd + excluded.usd,
            "updatedAt" = excluded."updatedAt"`;
    return;
  }
  await tx.$executeRaw`
    INSERT INTO "XSpend" (day, xAccountId, kind, units, usd, updatedAt)
    VALUES (${row.day}, ${row.xAccountId}, ${row.kind}, ${row.units}, ${row.usd}, ${at})
    ON CONFLICT (day, xAccountId, kind) DO UPDATE
      SET units = units + excluded.units, usd = usd + excluded.usd, updatedAt = excluded.updatedAt`;
}

const MARKS = { warning: "xBudgetWarnedFor", reached: "xBudgetReachedFor" } as const;

/**
 * The budget notice the month's total makes due, if any: its marks set with one conditional
 * update each (of several instances passing the threshold, one sets a mark), and its messages
 * written when the mark of its own level was this caller's.
 */
async function tellBudget(
  tx: Prisma.TransactionClient,
  provider: DatabaseProvider,
  watch: BudgetWatch,
): Promise<BudgetNotice | null> {
  const settings = await tx.settings.findUnique({ where: { guildId: watch.guildId } });
  if (settings === null) return null;
  const spent = await tx.xSpend.aggregate({
    where: {
      day: { gte: `${watch.month}-01`, lte: `${watch.month}-31` },
      xAccount: { guildId: watch.guildId },
    },
    _sum: { usd: true },
  });
  const due = watch.due(spent._sum.usd ?? 0, settings);
  if (due === null) return null;
  const marked = new Set<BudgetLevel>();
  for (const level of due.levels) {
    const field = MARKS[level];
    const { count } = await tx.settings.updateMany({
      where: { guildId: watch.guildId, OR: [{ [field]: null }, { [field]: { not: due.key } }] },
      data: { [field]: due.key },
    });
    if (count === 1) marked.add(level);
  }
  if (!marked.has(due.notice.level)) return null;
  await enqueueOutbox(tx, provider, watch.render(due.notice));
  return due.notice;
}

/** The XSpend ledger, and the budget notices' "sent for" marks on Settings. */
export class PrismaXSpendRepository implements XSpendLedger {
  constructor(private readonly prisma: PrismaClient) {}

  async add(rows: readonly SpendRow[], watch?: BudgetWatch): Promise<BudgetNotice | null> {
    const provider = providerOfClient(this.prisma);
    return this.prisma.$transaction(async (tx) => {
      for (const row of rows) await addRow(tx, provider, row);
      return watch === undefined ? null : tellBudget(tx, provider, watch);
    });
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
}
