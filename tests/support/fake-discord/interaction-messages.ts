import { InteractionResponseType, MessageType } from "discord.js";
import { apiUser } from "./api-shapes.ts";
import { INTERACTION_TYPE } from "./callback-limits.ts";
import type { FakeInteraction } from "./interactions.ts";
import type { StoredMessage } from "./message-store.ts";
import type { MessageBody, MessageOrigin, WriteResult } from "./message-writer.ts";
import type { FakeDiscordState } from "./state.ts";

/** Where an interaction's responses go and how Discord labels them (`interaction_metadata`). */
export function responseOrigin(
  state: FakeDiscordState,
  interaction: FakeInteraction,
): MessageOrigin {
  const { details } = interaction;
  return {
    channelId: details.channelId,
    guildId: details.guildId,
    type: details.kind === "command" ? MessageType.ChatInputCommand : MessageType.Default,
    webhookId: state.applicationId,
    interactionMetadata: {
      id: details.id,
      type: INTERACTION_TYPE[details.kind],
      user: apiUser(details.user),
      authorizing_integration_owners: details.guildId === null ? {} : { "0": details.guildId },
      ...(details.sourceMessageId === null
        ? {}
        : { interacted_message_id: details.sourceMessageId }),
    },
  };
}

/** Creates a response or follow-up message of the interaction. */
export function createResponse(
  state: FakeDiscordState,
  interaction: FakeInteraction,
  body: MessageBody,
): WriteResult {
  return state.writer.create(body, responseOrigin(state, interaction));
}

/**
 * The message `@original` means: the reply a type 4 or 5 callback made, or for a component
 * whose update was deferred or made (types 6, 7) the message the component is on.
 */
export function originalMessage(
  state: FakeDiscordState,
  interaction: FakeInteraction,
): StoredMessage | undefined {
  if (interaction.originalMessageId !== null) {
    return state.messages.get(interaction.originalMessageId);
  }
  const type = interaction.callback?.type;
  const updatesSource =
    type === InteractionResponseType.DeferredMessageUpdate ||
    type === InteractionResponseType.UpdateMessage;
  return updatesSource && interaction.details.sourceMessageId !== null
    ? state.messages.get(interaction.details.sourceMessageId)
    : undefined;
}

/** A message the interaction's webhook may read or change: `@original` or one of its own. */
export function webhookMessage(
  state: FakeDiscordState,
  interaction: FakeInteraction,
  id: string,
): StoredMessage | undefined {
  const original = originalMessage(state, interaction);
  if (id === "@original") return original;
  if (original?.id === id || interaction.followUpIds.includes(id)) return state.messages.get(id);
  return undefined;
}
