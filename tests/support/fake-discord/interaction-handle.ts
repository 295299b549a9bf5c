import { InteractionResponseType, MessageFlags } from "discord.js";
import { originalMessage } from "./interaction-messages.ts";
import type { FakeInteraction, FirstCallback } from "./interactions.ts";
import { isRecord } from "./message-drafts.ts";
import type { ApiMessage, MessageStore, StoredMessage } from "./message-store.ts";
import type { FakeDiscordState } from "./state.ts";

const R = InteractionResponseType;

/** A modal the bot showed (callback type 9). */
export interface ShownModal {
  readonly customId: string;
  readonly title: string;
  readonly components: readonly unknown[];
}

export interface AutocompleteChoice {
  readonly name: string;
  readonly value: string | number;
}

export interface ReplyOptions {
  /** How long to wait for the reply to be filled in; the fake's replyTimeoutMs by default. */
  readonly timeoutMs?: number | undefined;
  /** Wait until the reply passes this check (e.g. after a "working…" edit). */
  readonly until?: ((message: ApiMessage) => boolean) | undefined;
}

/** What a person saw after the bot's first answer to their interaction. */
export class InteractionHandle {
  readonly id: string;
  /** InteractionResponseType of the first callback. */
  readonly type: number;
  /** The callback's `data` as the bot sent it (null for type 6). */
  readonly data: unknown;
  readonly respondedWithinMs: number;

  constructor(
    private readonly state: FakeDiscordState,
    private readonly interaction: FakeInteraction,
    callback: FirstCallback,
  ) {
    this.id = interaction.id;
    this.type = callback.type;
    this.data = callback.data;
    this.respondedWithinMs = callback.afterMs;
  }

  /** Whether only the person sees the answer (flags & 64 of the reply, or of the message updated). */
  get ephemeral(): boolean {
    const message = originalMessage(this.state, this.interaction);
    if (message !== undefined) return (message.flags & MessageFlags.Ephemeral) !== 0;
    return isRecord(this.data) && (Number(this.data.flags) & MessageFlags.Ephemeral) !== 0;
  }

  /** The modal, when the bot answered with one. */
  get modal(): ShownModal | undefined {
    if (this.type !== R.Modal || !isRecord(this.data)) return undefined;
    return {
      customId: String(this.data.custom_id),
      title: String(this.data.title),
      components: Array.isArray(this.data.components) ? this.data.components : [],
    };
  }

  /** The choices, when the bot answered an autocomplete. */
  get choices(): readonly AutocompleteChoice[] | undefined {
    if (this.type !== R.ApplicationCommandAutocompleteResult || !isRecord(this.data))
      return undefined;
    return Array.isArray(this.data.choices) ? (this.data.choices as AutocompleteChoice[]) : [];
  }

  /**
   * The reply as the person sees it: the message a type 4 made; for a deferred reply (5) the
   * "thinking…" message once the first edit or follow-up filled it in; for a deferred update
   * (6) the component's message once it was edited; for an update (7) that message.
   */
  reply(options: ReplyOptions = {}): Promise<ApiMessage> {
    const { type, interaction } = this;
    if (type === R.Modal || type === R.ApplicationCommandAutocompleteResult) {
      return Promise.reject(
        new Error(`${interaction.details.label} was answered with type ${type}, not a message`),
      );
    }
    const target = originalMessage(this.state, interaction);
    if (target === undefined)
      return Promise.reject(new Error(`${interaction.details.label} has no reply message`));
    const filledIn = (message: StoredMessage) => {
      if (type === R.DeferredChannelMessageWithSource)
        return (message.flags & MessageFlags.Loading) === 0;
      if (type === R.DeferredMessageUpdate)
        return message.revision > interaction.sourceRevisionAtAck;
      return true;
    };
    const until = options.until ?? (() => true);
    return waitForMessage(
      this.state.messages,
      target.id,
      (message) => filledIn(message) && until(this.state.messages.toApi(message)),
      options.timeoutMs ?? this.state.replyTimeoutMs,
      `the reply to ${interaction.details.label}`,
    );
  }

  /**
   * The first follow-up once the bot sent it: a message made through the interaction's webhook
   * (so it carries this interaction's `interaction_metadata`) other than the original response.
   * After a deferred update (6) this is how the bot answers without touching the message.
   */
  followUp(options: Pick<ReplyOptions, "timeoutMs"> = {}): Promise<ApiMessage> {
    const { interaction, state } = this;
    const timeoutMs = options.timeoutMs ?? state.replyTimeoutMs;
    return state.messages.waitFor(
      () => {
        const message = state.messages.find(
          (m) =>
            m.interactionMetadata?.id === interaction.id && m.id !== interaction.originalMessageId,
        );
        return message === undefined ? undefined : state.messages.toApi(message);
      },
      timeoutMs,
      `no follow-up to ${interaction.details.label} within ${timeoutMs} ms`,
    );
  }

  /** Follow-up messages (not the one that filled in a deferred reply), oldest first. */
  followUps(): ApiMessage[] {
    return this.interaction.followUpIds
      .map((id) => this.state.messages.get(id))
      .filter((message) => message !== undefined)
      .map((message) => this.state.messages.toApi(message));
  }
}

/** Resolves with the message once `ready` holds for it; rejects after `timeoutMs`. */
function waitForMessage(
  store: MessageStore,
  id: string,
  ready: (message: StoredMessage) => boolean,
  timeoutMs: number,
  what: string,
): Promise<ApiMessage> {
  return store.waitFor(
    () => {
      const message = store.get(id);
      if (message === undefined) throw new Error(`${what} was deleted`);
      return ready(message) ? store.toApi(message) : undefined;
    },
    timeoutMs,
    `${what} was not filled in within ${timeoutMs} ms`,
  );
}
