/**
 * Messages Herald must deliver to Discord (design.md section 11). A state change writes its
 * messages as drafts in its own transaction; the outbox dispatcher delivers them later, retrying
 * until Discord takes them. Plain data only: the domain knows no Discord library.
 */

export const OUTBOX_KINDS = [
  "post.published",
  "post.failed",
  "post.missed",
  "account.invalid",
  "account.held",
  "approval.create",
  "approval.update",
  "rejection",
  "report.daily",
  "notice",
] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * The channel id that means "the guild's approval channel": resolved from the settings when the
 * message is sent, so a message queued before an admin set (or changed) the channel still lands.
 */
export const APPROVAL_CHANNEL = "approval";

/** A file sent with a new message, its bytes in base64 so the payload stays JSON. */
export interface OutboxFile {
  /** The file name, also what an embed names it by (`attachment://<name>`). */
  name: string;
  contentType: string;
  base64: string;
}

/** A message as Discord's REST API takes it; serialisable JSON. */
export interface OutboxPayload {
  content?: string;
  /** Discord's JSON shapes (e.g. a builder's toJSON()), kept opaque here. */
  embeds?: readonly object[];
  components?: readonly object[];
  allowed_mentions?: object;
  /** Uploaded with the message (multipart); only for a new message. */
  files?: readonly OutboxFile[];
}

/** A message to deliver: a new message in a channel, or an edit of an existing one. */
export interface OutboxDraft {
  guildId: string;
  /** A channel id, or APPROVAL_CHANNEL. */
  channelId: string;
  kind: OutboxKind;
  payload: OutboxPayload;
  /**
   * The post the message is about. `approval.create` shows the post in the approval channel: a
   * new message, recorded as the post's approval message, or an edit of the one already there
   * (so a post shown again, say after an edit during an outage, is never shown twice).
   * `approval.update` edits the post's approval message, whichever it is then, and is skipped
   * when the post has none (its channel was unusable, or none was ever set).
   */
  targetPostId?: number;
  /** For an edit of a known message (in `channelId`). */
  targetMessageId?: string;
}

export type OutboxState = "pending" | "sent" | "dropped";

/** Where a delivered row's message is. */
export interface SentMessage {
  channelId: string;
  messageId: string;
}

/** A row as the dispatcher claimed it. */
export interface OutboxMessage extends OutboxDraft {
  id: number;
  state: OutboxState;
  attempts: number;
  createdAt: Date;
}

/**
 * Discord's `nonce` for the row (at most 25 characters): its id plus its creation instant, so a
 * database started afresh does not reuse the nonce of a message sent minutes before.
 */
export function outboxNonce(message: Pick<OutboxMessage, "id" | "createdAt">): string {
  return `${message.id}.${message.createdAt.getTime().toString(36)}`;
}

/** Whether the draft edits a message instead of creating one. */
export function isEdit(draft: Pick<OutboxDraft, "kind" | "targetMessageId">): boolean {
  return draft.kind === "approval.update" || draft.targetMessageId !== undefined;
}

/**
 * Writes messages that go with no state change of their own, in a transaction of their own: a
 * hold the runner noticed (a budget used up), which is derived anew after a restart.
 */
export interface OutboxWriter {
  enqueue(drafts: readonly OutboxDraft[]): Promise<void>;
}

/** The outbox as the dispatcher uses it: claim due rows under a lease, then settle each. */
export interface OutboxStore {
  /**
   * Claims up to `limit` rows that are due and first in their channel (a channel's next row waits
   * until the earlier one is sent or dropped). Exactly one of concurrent callers gets each row.
   */
  claimDue(owner: string, now: Date, leaseUntil: Date, limit: number): Promise<OutboxMessage[]>;
  /**
   * Sent as `sent` (the channel it went to, resolved, and the message); an `approval.create`
   * also becomes its post's approval message, in one transaction.
   */
  markSent(id: number, owner: string, sent: SentMessage, now: Date): Promise<boolean>;
  retryLater(id: number, owner: string, at: Date, error: string): Promise<boolean>;
  drop(id: number, owner: string, error: string, now: Date): Promise<boolean>;
  /** Frees every lease: with one instance per database (SQLite), those left by a crash. */
  releaseAllLeases(): Promise<number>;
  /** The earliest instant a pending row becomes due or its lease ends; null when none is pending. */
  nextDueAt(): Promise<Date | null>;
}
