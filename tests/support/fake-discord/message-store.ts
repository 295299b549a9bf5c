import { EventEmitter } from "node:events";
import { type APIUser, MessageFlags, type MessageType } from "discord.js";
import { apiBotUser } from "./api-shapes.ts";
import type { AttachmentRef } from "./attachment-cdn.ts";
import type { BotUser } from "./guilds.ts";
import { discordTimestamp, type Snowflakes } from "./snowflakes.ts";

/** A message the bot sent (or Discord made for it), as the fake holds it. */
export interface StoredMessage {
  readonly id: string;
  readonly channelId: string;
  readonly guildId: string | null;
  readonly type: MessageType;
  /** Set for interaction responses and follow-ups: the application's webhook sent them. */
  readonly webhookId: string | null;
  readonly interactionMetadata: Readonly<Record<string, unknown>> | null;
  readonly timestamp: number;
  content: string;
  embeds: readonly unknown[];
  components: readonly unknown[];
  attachments: readonly AttachmentRef[];
  flags: number;
  editedTimestamp: number | null;
  /** How many times the message was edited: a waiter can tell "changed since". */
  revision: number;
}

/** A message as Discord's API returns it (GET, POST and PATCH answers, `message` of a press). */
export interface ApiMessage {
  readonly id: string;
  readonly channel_id: string;
  readonly guild_id?: string | undefined;
  readonly type: number;
  readonly author: APIUser;
  readonly content: string;
  readonly embeds: readonly unknown[];
  readonly components: readonly unknown[];
  readonly attachments: readonly AttachmentRef[];
  readonly flags: number;
  readonly timestamp: string;
  readonly edited_timestamp: string | null;
  readonly [field: string]: unknown;
}

export type NewMessage = Omit<StoredMessage, "id" | "timestamp" | "editedTimestamp" | "revision">;

/** Every message, in order of creation; tells listeners when one changes. */
export class MessageStore {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly changes = new EventEmitter();

  constructor(
    private readonly ids: Snowflakes,
    private readonly now: () => number,
    private readonly bot: BotUser,
  ) {
    this.changes.setMaxListeners(0);
  }

  create(message: NewMessage): StoredMessage {
    const stored: StoredMessage = {
      ...message,
      id: this.ids.next(),
      timestamp: this.now(),
      editedTimestamp: null,
      revision: 0,
    };
    this.messages.set(stored.id, stored);
    this.changes.emit("change", stored);
    return stored;
  }

  /** Applies `change` and stamps the edit, as Discord does for every PATCH. */
  edit(message: StoredMessage, change: (message: StoredMessage) => void): StoredMessage {
    change(message);
    message.editedTimestamp = this.now();
    message.revision += 1;
    this.changes.emit("change", message);
    return message;
  }

  get(id: string): StoredMessage | undefined {
    return this.messages.get(id);
  }

  delete(id: string): void {
    const message = this.messages.get(id);
    this.messages.delete(id);
    if (message !== undefined) this.changes.emit("change", message);
  }

  /** The first message, in order of creation, that passes `matches`. */
  find(matches: (message: StoredMessage) => boolean): StoredMessage | undefined {
    for (const message of this.messages.values()) if (matches(message)) return message;
    return undefined;
  }

  /** What a person sees in a channel, oldest first: ephemeral messages are not in it. */
  visibleIn(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter(
      (message) =>
        message.channelId === channelId && (message.flags & MessageFlags.Ephemeral) === 0,
    );
  }

  /** Calls `listener` on every creation, edit and deletion until the returned function is called. */
  onChange(listener: (message: StoredMessage) => void): () => void {
    this.changes.on("change", listener);
    return () => this.changes.off("change", listener);
  }

  /**
   * Resolves with what `look` finds, looking now and after every change; rejects when `look`
   * throws, or with `timeoutMessage` after `timeoutMs`.
   */
  waitFor<T>(look: () => T | undefined, timeoutMs: number, timeoutMessage: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        let found: T | undefined;
        try {
          found = look();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (found === undefined) return;
        finish();
        resolve(found);
      };
      const stop = this.onChange(attempt);
      const timer = setTimeout(() => {
        finish();
        reject(new Error(timeoutMessage));
      }, timeoutMs);
      function finish() {
        stop();
        clearTimeout(timer);
      }
      attempt();
    });
  }

  toApi(message: StoredMessage): ApiMessage {
    // A deep copy: callers must not be able to change what the fake holds.
    return structuredClone({
      id: message.id,
      channel_id: message.channelId,
      ...(message.guildId === null ? {} : { guild_id: message.guildId }),
      type: message.type,
      author: apiBotUser(this.bot),
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      attachments: message.attachments,
      flags: message.flags,
      timestamp: discordTimestamp(message.timestamp),
      edited_timestamp:
        message.editedTimestamp === null ? null : discordTimestamp(message.editedTimestamp),
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      mention_channels: [],
      pinned: false,
      reactions: [],
      ...(message.webhookId === null
        ? {}
        : { webhook_id: message.webhookId, application_id: message.webhookId }),
      ...(message.interactionMetadata === null
        ? {}
        : { interaction_metadata: message.interactionMetadata }),
    });
  }
}
