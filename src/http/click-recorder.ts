import { type PrismaClient, providerOfClient } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { GroupCommit } from "../scheduler/group-commit.ts";

export interface ClickRecord {
  postId: number;
  clickId: string;
  at: Date;
  bot: boolean;
  visitorHash: string;
  hour: string;
}

/**
 * Writes clicks in batches, as the runner's group commit does, so the redirect never waits for the
 * database. `drain` (on stop) resolves once every click taken so far has been written or logged.
 */
export class ClickRecorder {
  private readonly commit: GroupCommit<ClickRecord, null>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    prisma: PrismaClient,
    private readonly logger: Logger,
  ) {
    const insert = insertClicks(prisma);
    this.commit = new GroupCommit(async (clicks) => {
      await insert(clicks);
      return clicks.map(() => null);
    }, 100);
  }

  record(click: ClickRecord): void {
    const written: Promise<void> = this.commit.submit(click).then(
      () => undefined,
      (error: unknown) => {
        this.logger.error({ err: error, postId: click.postId }, "a click could not be stored");
      },
    );
    this.inFlight.add(written);
    void written.finally(() => this.inFlight.delete(written));
  }

  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}

/**
 * One INSERT per batch with the rows as one JSON parameter: the statement has the same shape for
 * any batch, where `createMany` plans every call afresh (see writeAudits).
 */
function insertClicks(prisma: PrismaClient): (clicks: readonly ClickRecord[]) => Promise<unknown> {
  if (providerOfClient(prisma) === "postgresql") {
    return (clicks) => {
      const json = JSON.stringify(clicks);
      return prisma.$executeRaw`
        INSERT INTO "Click" ("postId", "clickId", "at", "bot", "visitorHash", "hour")
        SELECT r."postId", r."clickId", r."at"::timestamptz::timestamp, r."bot", r."visitorHash", r."hour"
          FROM json_to_recordset(${json}::json)
            AS r("postId" int, "clickId" text, "at" text, "bot" boolean, "visitorHash" text, "hour" text)`;
    };
  }
  return (clicks) => {
    // Dates as Prisma's SQLite adapter writes them (ISO 8601 with "+00:00"), booleans as 0/1.
    const json = JSON.stringify(
      clicks.map((click) => ({
        ...click,
        at: click.at.toISOString().replace("Z", "+00:00"),
        bot: click.bot ? 1 : 0,
      })),
    );
    return prisma.$executeRaw`
      INSERT INTO "Click" (postId, clickId, at, bot, visitorHash, hour)
      SELECT value ->> 'postId', value ->> 'clickId', value ->> 'at', value ->> 'bot',
             value ->> 'visitorHash', value ->> 'hour'
        FROM json_each(${json})`;
  };
}
