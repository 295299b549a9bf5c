import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import type { REST } from "discord.js";
import { type BackoffPolicy, backoffDelay } from "../domain/backoff.ts";
import type { OutboxMessage, OutboxStore } from "../domain/outbox.ts";
import type { Clock } from "../domain/ports.ts";
import type { Logger } from "../logger.ts";
import { type DeliveryOutcome, deliver, type OutboxTargets } from "./outbox-delivery.ts";

export interface OutboxSettings {
  /** Longest wait between looks at the table, should a wake-up be missed (another instance). */
  pollMs: number;
  /** How long a claimed row is this instance's; longer than one REST call may take (15 s). */
  leaseMs: number;
  /** A row still failing this long after it was written is given up (dropped, logged). */
  giveUpAfterMs: number;
  backoff: BackoffPolicy;
  /** Rows claimed at once: at most one per channel, so also the channels served in parallel. */
  batch: number;
  /**
   * SQLite: this process owns the database, so a lease found at start was left by a crash and
   * its row is sent again at once (with its nonce). PostgreSQL: other instances may hold live
   * leases; a dead one's rows are taken over when their leases end.
   */
  reclaimAllLeasesAtStart: boolean;
}

export const DEFAULT_OUTBOX_SETTINGS: OutboxSettings = {
  pollMs: 30_000,
  leaseMs: 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
  backoff: { baseMs: 1_000, maxMs: 5 * 60_000 },
  batch: 50,
  reclaimAllLeasesAtStart: false,
};

export interface OutboxEvents {
  "message.sent": [{ message: OutboxMessage; messageId: string; channelId: string }];
  "message.retrying": [{ message: OutboxMessage; reason: string; nextAttemptAt: Date }];
  /**
   * A row given up. `channelUnusable`: Discord said the channel is gone or closed to the bot, so
   * the approval path can treat it as "no usable approval channel".
   */
  "message.dropped": [
    { message: OutboxMessage; reason: string; channelId: string | null; channelUnusable: boolean },
  ];
  /** The dispatcher has nothing due and armed its timer. */
  idle: [{ nextWakeAt: Date | null }];
}

export interface OutboxDispatcherDeps {
  store: OutboxStore;
  rest: REST;
  targets: OutboxTargets;
  clock: Clock;
  logger: Logger;
  settings?: Partial<OutboxSettings>;
}

/** Up to this much is added to Discord's retry_after, so rows limited together spread out. */
const RATE_LIMIT_JITTER_MS = 250;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Delivers the outbox (design.md section 11) once the bot is ready: each channel's rows in the
 * order they were written, channels in parallel, failures retried with backoff from the row's
 * own schedule, so retries survive restarts. The table decides what is sent; wake() and a timer
 * only say when to look.
 */
export class OutboxDispatcher extends EventEmitter<OutboxEvents> {
  /** This instance's name on the rows it claims. */
  readonly owner = randomUUID();
  private readonly settings: OutboxSettings;
  private readonly log: Logger;
  private running = false;
  private passing = false;
  private passAgain = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: OutboxDispatcherDeps) {
    super();
    this.settings = { ...DEFAULT_OUTBOX_SETTINGS, ...deps.settings };
    this.log = deps.logger.child({ component: "outbox" });
  }

  async start(): Promise<void> {
    if (this.settings.reclaimAllLeasesAtStart) {
      const released = await this.deps.store.releaseAllLeases();
      if (released > 0) this.log.info({ released }, "messages of a previous run to send again");
    }
    this.running = true;
    this.wake();
  }

  /** Looks at the table now: call after a transaction that wrote rows has committed. */
  wake(): void {
    if (!this.running) return;
    if (this.passing) {
      this.passAgain = true;
      return;
    }
    this.passing = true;
    void this.run();
  }

  /**
   * Delivers for up to `flushMs`, retries that come due within it included, then stops. A send
   * still under way then finishes on its own; if its answer cannot be recorded, its lease ends
   * and the next start sends it again with the same nonce, which Discord answers with the first
   * message.
   */
  async stop(flushMs = 5_000): Promise<void> {
    if (!this.running) return;
    const deadlineAt = this.deps.clock.now().getTime() + flushMs;
    let onIdle: ((event: { nextWakeAt: Date | null }) => void) | undefined;
    const flushed = new Promise<void>((resolve) => {
      onIdle = ({ nextWakeAt }) => {
        if (nextWakeAt === null || nextWakeAt.getTime() > deadlineAt) resolve();
      };
      this.on("idle", onIdle);
    });
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      deadline = setTimeout(resolve, flushMs);
    });
    this.wake();
    await Promise.race([flushed, timedOut]);
    clearTimeout(deadline);
    if (onIdle !== undefined) this.off("idle", onIdle);
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    let nextWakeAt: Date | null = null;
    try {
      do {
        this.passAgain = false;
        await this.deliverDue();
        nextWakeAt = await this.deps.store.nextDueAt();
      } while (this.passAgain && this.running);
    } catch (error) {
      this.log.error({ err: error }, "outbox pass failed; looking again shortly");
      nextWakeAt = new Date(this.deps.clock.now().getTime() + this.settings.backoff.baseMs);
    } finally {
      this.passing = false;
    }
    this.arm(nextWakeAt);
    if (!this.passing && this.running) this.emit("idle", { nextWakeAt });
  }

  private arm(at: Date | null): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    const until =
      at === null ? Number.POSITIVE_INFINITY : at.getTime() - this.deps.clock.now().getTime();
    const delay = Math.min(MAX_TIMER_MS, this.settings.pollMs, Math.max(0, until));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.wake();
    }, delay);
  }

  /** Claims the due head of every channel, sends them in parallel, and again until none is due. */
  private async deliverDue(): Promise<void> {
    for (;;) {
      const now = this.deps.clock.now();
      const leaseUntil = new Date(now.getTime() + this.settings.leaseMs);
      const claimed = await this.deps.store.claimDue(
        this.owner,
        now,
        leaseUntil,
        this.settings.batch,
      );
      if (claimed.length === 0) return;
      await Promise.all(claimed.map((message) => this.send(message)));
    }
  }

  private async send(message: OutboxMessage): Promise<void> {
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliver(this.deps.rest, this.deps.targets, message);
    } catch (error) {
      // Reading the target failed (the database): not Discord's answer, so try again later.
      outcome = { kind: "retry", reason: error instanceof Error ? error.message : String(error) };
    }
    await this.settle(message, outcome);
  }

  private async settle(message: OutboxMessage, outcome: DeliveryOutcome): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const log = this.log.child({ outboxId: message.id, kind: message.kind });
    switch (outcome.kind) {
      case "sent":
        if (await store.markSent(message.id, this.owner, outcome.sent, now)) {
          log.debug(outcome.sent, "message delivered");
          this.emit("message.sent", { message, ...outcome.sent });
        }
        return;
      case "skipped":
        if (await store.drop(message.id, this.owner, outcome.reason, now)) {
          log.debug({ reason: outcome.reason }, "message not needed");
          this.emit("message.dropped", {
            message,
            reason: outcome.reason,
            channelId: null,
            channelUnusable: false,
          });
        }
        return;
      case "permanent":
        if (await store.drop(message.id, this.owner, outcome.reason, now)) {
          log.warn(
            { reason: outcome.reason, channelId: outcome.channelId, payload: message.payload },
            "message dropped: Discord refused it for good",
          );
          this.emit("message.dropped", {
            message,
            reason: outcome.reason,
            channelId: outcome.channelId,
            channelUnusable: outcome.channelUnusable,
          });
        }
        return;
      case "retry":
        await this.retry(message, outcome, now, log);
        return;
    }
  }

  private async retry(
    message: OutboxMessage,
    outcome: { reason: string; afterMs?: number },
    now: Date,
    log: Logger,
  ): Promise<void> {
    const { store } = this.deps;
    if (now.getTime() - message.createdAt.getTime() >= this.settings.giveUpAfterMs) {
      if (await store.drop(message.id, this.owner, `given up: ${outcome.reason}`, now)) {
        log.error(
          { reason: outcome.reason, attempts: message.attempts, message: message.payload },
          "message given up after retrying for a day; the team never saw it",
        );
        this.emit("message.dropped", {
          message,
          reason: outcome.reason,
          channelId: null,
          channelUnusable: false,
        });
      }
      return;
    }
    const delay =
      outcome.afterMs === undefined
        ? backoffDelay(message.attempts, this.settings.backoff)
        : outcome.afterMs + Math.round(Math.random() * RATE_LIMIT_JITTER_MS);
    const nextAttemptAt = new Date(now.getTime() + delay);
    if (await store.retryLater(message.id, this.owner, nextAttemptAt, outcome.reason)) {
      const level = message.attempts === 1 ? "warn" : "debug";
      log[level](
        { reason: outcome.reason, nextAttemptAt },
        "message not delivered yet; will retry",
      );
      this.emit("message.retrying", { message, reason: outcome.reason, nextAttemptAt });
    }
  }
}
