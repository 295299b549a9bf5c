import type { ReportRuns } from "../domain/clock-job-ports.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { isUniqueViolation } from "./prisma-errors.ts";

/** DailyReportRun: the unique (guild, date) row is the claim, so two claimers cannot both win. */
export class PrismaReportRuns implements ReportRuns {
  constructor(private readonly prisma: PrismaClient) {}

  async claim(guildId: string, date: string, at: Date): Promise<boolean> {
    try {
      await this.prisma.dailyReportRun.create({ data: { guildId, date, ranAt: at } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async release(guildId: string, date: string): Promise<void> {
    await this.prisma.dailyReportRun.deleteMany({ where: { guildId, date } });
  }
}
