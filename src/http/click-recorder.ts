import type { PrismaClient } from "../db/client.ts";
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
    this.commit = new GroupCommit(async (clicks) => {
      await prisma.click.createMany({ data: clicks });
      return clicks.map(() => null);
    }, 500);
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
