import { performance } from "node:perf_hooks";
import type { MemberRecord } from "./guilds.ts";

export type InteractionKind = "command" | "component" | "modal_submit" | "autocomplete";

/** The first answer the bot gave: InteractionResponseType and its `data`. */
export interface FirstCallback {
  readonly type: number;
  readonly data: unknown;
  /** Time from sending INTERACTION_CREATE to receiving the callback. */
  readonly afterMs: number;
}

/** What a test sees of an interaction, e.g. in `interactionsAnsweredLate()`. */
export interface FakeInteractionRecord {
  readonly id: string;
  readonly kind: InteractionKind;
  /** "/post queue", "button post:approve:1", "modal x:connect", "autocomplete /post queue". */
  readonly label: string;
  readonly userId: string;
  readonly guildId: string | null;
  readonly channelId: string;
  /** null when the bot never answered. */
  readonly callbackType: number | null;
  readonly respondedWithinMs: number | null;
  /** The first callback came after the deadline, or none came before it passed. */
  readonly late: boolean;
}

export interface NewInteraction {
  readonly id: string;
  readonly token: string;
  readonly kind: InteractionKind;
  readonly label: string;
  readonly user: MemberRecord;
  readonly guildId: string | null;
  readonly channelId: string;
  /** The message a component (or a modal opened from one) belongs to. */
  readonly sourceMessageId: string | null;
}

/** One interaction Discord sent and what the bot did with it. */
export class FakeInteraction {
  readonly sentAt = performance.now();
  callback: FirstCallback | undefined;
  /** The delay of a callback refused for coming after the deadline. */
  refusedAfterMs: number | undefined;
  /** The message a type 4 or 5 callback made (the "original response"). */
  originalMessageId: string | null = null;
  /** The source message's revision when a type 6 callback deferred its update. */
  sourceRevisionAtAck = 0;
  readonly followUpIds: string[] = [];
  /** Set once a person submitted the modal this interaction showed. */
  modalSubmitted = false;
  private readonly answered: Promise<FirstCallback>;
  private settle: ((callback: FirstCallback | Error) => void) | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly details: NewInteraction,
    readonly deadlineMs: number,
  ) {
    this.answered = new Promise<FirstCallback>((resolve, reject) => {
      this.settle = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
    });
    // The caller may never await it (an unanswered interaction in a test that moves on).
    this.answered.catch(() => undefined);
    this.timer = setTimeout(() => {
      this.finish(
        new Error(
          `${details.label} by user ${details.user.id} got no answer within ${deadlineMs} ms; ` +
            `Discord shows "The application did not respond".`,
        ),
      );
    }, deadlineMs);
  }

  get id(): string {
    return this.details.id;
  }

  /** Ms since the interaction was sent. */
  elapsedMs(): number {
    return performance.now() - this.sentAt;
  }

  isExpired(): boolean {
    return this.elapsedMs() > this.deadlineMs;
  }

  /** Records the first callback and releases whoever waits for it. */
  acknowledge(type: number, data: unknown): FirstCallback {
    const callback = { type, data, afterMs: this.elapsedMs() };
    this.callback = callback;
    this.finish(callback);
    return callback;
  }

  firstCallback(): Promise<FirstCallback> {
    return this.answered;
  }

  /** Stops the deadline timer; a waiter still waiting is told why. */
  abandon(reason: string): void {
    this.finish(new Error(reason));
  }

  record(): FakeInteractionRecord {
    const { id, kind, label, user, guildId, channelId } = this.details;
    const late =
      this.callback === undefined ? this.isExpired() : this.callback.afterMs > this.deadlineMs;
    return {
      id,
      kind,
      label,
      userId: user.id,
      guildId,
      channelId,
      callbackType: this.callback?.type ?? null,
      respondedWithinMs: this.callback?.afterMs ?? null,
      late,
    };
  }

  private finish(outcome: FirstCallback | Error): void {
    clearTimeout(this.timer);
    this.settle?.(outcome);
    this.settle = undefined;
  }
}

/** Every interaction sent, findable by id or token (webhook routes know only the token). */
export class InteractionRegistry {
  private readonly interactions: FakeInteraction[] = [];

  constructor(private readonly deadlineMs: number) {}

  add(details: NewInteraction): FakeInteraction {
    const interaction = new FakeInteraction(details, this.deadlineMs);
    this.interactions.push(interaction);
    return interaction;
  }

  byId(id: string): FakeInteraction | undefined {
    return this.interactions.find((interaction) => interaction.id === id);
  }

  byToken(token: string): FakeInteraction | undefined {
    return this.interactions.find((interaction) => interaction.details.token === token);
  }

  /**
   * The latest interaction that showed `userId` a modal with `customId` not yet submitted (or,
   * `again`, one submitted already).
   */
  shownModal(userId: string, customId: string, again = false): FakeInteraction | undefined {
    return this.interactions.findLast(
      (interaction) =>
        interaction.details.user.id === userId &&
        interaction.callback?.type === 9 &&
        interaction.modalSubmitted === again &&
        modalCustomId(interaction.callback.data) === customId,
    );
  }

  records(): FakeInteractionRecord[] {
    return this.interactions.map((interaction) => interaction.record());
  }

  close(): void {
    for (const interaction of this.interactions) interaction.abandon("fake Discord closed");
  }
}

function modalCustomId(data: unknown): unknown {
  return typeof data === "object" && data !== null && "custom_id" in data
    ? data.custom_id
    : undefined;
}
