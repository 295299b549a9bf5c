import type { ReportRuns } from "../domain/clock-job-ports.ts";
import type { OutboxDraft } from "../domain/outbox.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { providerOfClient } from "./client.ts";
import { enqueueOutbox } from "./outbox-repository.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

/** DailyReportRun: the unique (guild, date) row is the claim, so two claimers cannot both win. */
export class PrismaReportRuns implements ReportRuns {
  constructor(private readonly prisma: PrismaClient) {}

  async ran(guildId: string, date: string): Promise<boolean> {
    const row = await this.prisma.dailyReportRun.findUnique({
      where: { guildId_date: { guildId, date } },
      select: { id: true },
    });
    return row !== null;
  }

  /** The claim first: a second claimer fails on the unique key and writes none of the messages. */
  async claim(
    guildId: string,
    date: string,
    at: Date,
    messages: readonly OutboxDraft[],
  ): Promise<boolean> {
    try {
      await this.prisma.$transaction(async (tx) => {
        await tx.dailyReportRun.create({ data: { guildId, date, ranAt: at } });
        await enqueueOutbox(tx, providerOfClient(this.prisma), messages, at);
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
