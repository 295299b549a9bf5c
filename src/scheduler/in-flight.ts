import type { Logger } from "../logger.ts";

/** The publishes (and recoveries) under way, by post id, at most `limit` at once. */
export class InFlight {
  private readonly work = new Map<number, Promise<void>>();

  constructor(
    private readonly limit: number,
    private readonly log: Logger,
    /** Told after each task ends, so the runner looks for more work. */
    private readonly onDone: () => void,
  ) {}

  has(postId: number): boolean {
    return this.work.has(postId);
  }

  get size(): number {
    return this.work.size;
  }

  ids(): number[] {
    return [...this.work.keys()];
  }

  /** Settles when every task under way now has ended. */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.work.values()]);
  }

  /** Waits until at least `wanted` tasks can start (never more than the limit allows). */
  async waitForSlots(wanted = 1): Promise<void> {
    const free = Math.min(Math.max(1, wanted), this.limit);
    while (this.limit - this.work.size < free) {
      await Promise.race(this.work.values());
    }
  }

  /** Slots free now. */
  get free(): number {
    return this.limit - this.work.size;
  }

  track(postId: number, task: Promise<void>): void {
    const done = task
      .catch((error: unknown) => {
        this.log.error({ err: error, postId }, "publish task failed unexpectedly");
      })
      .finally(() => {
        this.work.delete(postId);
        this.onDone();
      });
    this.work.set(postId, done);
  }
}
