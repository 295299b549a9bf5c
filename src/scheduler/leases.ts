import type { Post } from "../domain/posts.ts";
import type { Logger } from "../logger.ts";
import type { RunnerDeps } from "./runner-deps.ts";

/**
 * This runner's leases (design.md section 4). Each claim and take-over names the runner, and only
 * the holder renews a lease or records the post's outcome. A runner that stalled past its lease (a
 * long GC pause, SIGSTOP) may find the post taken over by another instance: it then neither posts
 * it nor records anything about it.
 */
export class Leases {
  constructor(
    /** The runner's id on the rows it holds. */
    readonly owner: string,
    private readonly deps: Pick<RunnerDeps, "queue" | "clock" | "settings">,
    private readonly log: Logger,
  ) {}

  /** The end of a lease taken now. */
  untilFromNow(): Date {
    return new Date(this.deps.clock.now().getTime() + this.deps.settings.leaseMs);
  }

  /** Renews a claimed post's lease while its publish runs; release() it when done. */
  keep(post: Post): HeldLease {
    return new HeldLease(post, this, this.deps, this.log);
  }
}

export class HeldLease {
  private until: Date;
  private lost = false;
  private readonly interval: NodeJS.Timeout;

  constructor(
    private readonly post: Post,
    private readonly leases: Leases,
    private readonly deps: Pick<RunnerDeps, "queue" | "clock" | "settings">,
    private readonly log: Logger,
  ) {
    this.until = post.leaseUntil ?? deps.clock.now();
    // Renewed well before it ends, so no recoverer mistakes a slow X call for a crash.
    this.interval = setInterval(
      () => {
        this.renew().catch((error: unknown) => {
          this.log.warn({ err: error, postId: post.id }, "could not renew lease");
        });
      },
      Math.max(50, Math.floor(deps.settings.leaseMs / 3)),
    );
  }

  /**
   * Whether the post is still this runner's to publish, asked right before the X call. Free while
   * the lease has most of its time left (the claim was just made); otherwise the lease is renewed
   * first, and a runner that lost it (it stalled, another instance took the post over) stops here.
   */
  async confirm(): Promise<boolean> {
    const left = this.until.getTime() - this.deps.clock.now().getTime();
    if (!this.lost && left > this.deps.settings.leaseMs / 2) return true;
    if (await this.renew()) return true;
    this.log.warn(
      { postId: this.post.id },
      "lease lost before the X call: another instance took the post over; not posting it",
    );
    return false;
  }

  release(): void {
    clearInterval(this.interval);
  }

  private async renew(): Promise<boolean> {
    if (this.lost) return false;
    const until = this.leases.untilFromNow();
    if (await this.deps.queue.renewLease(this.post.id, until, this.leases.owner)) {
      this.until = until;
      return true;
    }
    // Taken over by another instance, or just settled by this one: nothing left to renew.
    this.lost = true;
    this.release();
    return false;
  }
}
