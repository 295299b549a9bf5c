import { InteractionResponseType, MessageFlags } from "discord.js";
import {
  INTERACTION_TYPE,
  refuseCallbackType,
  refuseChoices,
  refuseModal,
} from "../callback-limits.ts";
import { createResponse, responseOrigin } from "../interaction-messages.ts";
import type { FakeInteraction } from "../interactions.ts";
import { isRecord } from "../message-drafts.ts";
import type { StoredMessage } from "../message-store.ts";
import { readMessageBody } from "../message-writer.ts";
import { bodyValue } from "../request-body.ts";
import { errors, type FakeResponse, json, NO_CONTENT } from "../responses.ts";
import { type Route, type RouteContext, route } from "../state.ts";

const R = InteractionResponseType;

/** What a callback did: the message it made or changed, if any. */
type Outcome = { ok: true; message: StoredMessage | null } | { ok: false; response: FakeResponse };

/** POST /interactions/:id/:token/callback: the bot's first (and only) answer. */
function callback(context: RouteContext): FakeResponse {
  const { state, params } = context;
  const interaction = state.interactions.byId(params.interaction ?? "");
  if (interaction === undefined || interaction.details.token !== params.token) {
    return errors.unknownInteraction();
  }
  if (interaction.callback !== undefined) return errors.alreadyAcknowledged();
  if (interaction.isExpired()) {
    // Discord forgets an interaction that got no answer in 3 s: the callback finds nothing.
    interaction.refusedAfterMs ??= interaction.elapsedMs();
    return errors.unknownInteraction();
  }
  if (context.body.kind === "unreadable") return errors.invalidJson();
  const value = bodyValue(context.body);
  const type = isRecord(value) ? value.type : undefined;
  const data = isRecord(value) ? value.data : undefined;
  const hasSource = interaction.details.sourceMessageId !== null;
  const refused = refuseCallbackType(interaction.details.kind, type, hasSource);
  if (refused !== undefined || typeof type !== "number") return refused ?? errors.invalidJson();
  const outcome = perform(context, interaction, type, data);
  if (!outcome.ok) return outcome.response;
  interaction.acknowledge(type, data ?? null);
  if (context.query.get("with_response") !== "true") return NO_CONTENT;
  return json(callbackResponse(context, interaction, type, outcome.message));
}

function perform(
  context: RouteContext,
  interaction: FakeInteraction,
  type: number,
  data: unknown,
): Outcome {
  const { state } = context;
  const source = interaction.details.sourceMessageId;
  switch (type) {
    case R.ChannelMessageWithSource: {
      const body = readMessageBody(context.body, dataOf);
      if (body === undefined) return { ok: false, response: errors.invalidJson() };
      const written = createResponse(state, interaction, body);
      if (written.ok) interaction.originalMessageId = written.message.id;
      return written.ok ? { ok: true, message: written.message } : written;
    }
    case R.DeferredChannelMessageWithSource: {
      // The "Bot is thinking…" message: empty, LOADING, ephemeral if the deferral said so.
      const ephemeral = isRecord(data) && Number(data.flags) & MessageFlags.Ephemeral;
      const flags = MessageFlags.Loading | (ephemeral ? MessageFlags.Ephemeral : 0);
      const message = state.messages.create({
        ...responseOrigin(state, interaction),
        content: "",
        embeds: [],
        components: [],
        attachments: [],
        flags,
      });
      interaction.originalMessageId = message.id;
      return { ok: true, message };
    }
    case R.DeferredMessageUpdate: {
      const message = source === null ? undefined : state.messages.get(source);
      interaction.sourceRevisionAtAck = message?.revision ?? 0;
      return { ok: true, message: message ?? null };
    }
    case R.UpdateMessage: {
      const message = source === null ? undefined : state.messages.get(source);
      if (message === undefined) return { ok: false, response: errors.unknownMessage() };
      const body = readMessageBody(context.body, dataOf);
      if (body === undefined) return { ok: false, response: errors.invalidJson() };
      const written = state.writer.edit(message, body);
      return written.ok ? { ok: true, message: written.message } : written;
    }
    case R.ApplicationCommandAutocompleteResult: {
      const refused = refuseChoices(data);
      return refused === undefined ? { ok: true, message: null } : { ok: false, response: refused };
    }
    case R.Modal: {
      const refused = refuseModal(data);
      return refused === undefined ? { ok: true, message: null } : { ok: false, response: refused };
    }
    default:
      return { ok: false, response: errors.invalidJson() };
  }
}

function dataOf(value: unknown): unknown {
  return isRecord(value) ? value.data : undefined;
}

/**
 * The body Discord returns with `?with_response=true` (discord.js's `withResponse` option);
 * discord.js always sends the parameter, `with_response=false` by default, and then gets 204.
 */
function callbackResponse(
  context: RouteContext,
  interaction: FakeInteraction,
  type: number,
  message: StoredMessage | null,
): unknown {
  const madeMessage = type === R.ChannelMessageWithSource || type === R.UpdateMessage;
  const responseMessage =
    message === null || type === R.DeferredMessageUpdate
      ? {}
      : {
          response_message_id: message.id,
          response_message_loading: type === R.DeferredChannelMessageWithSource,
          response_message_ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0,
        };
  return {
    interaction: {
      id: interaction.id,
      type: INTERACTION_TYPE[interaction.details.kind],
      activity_instance_id: null,
      ...responseMessage,
    },
    resource: {
      type,
      ...(madeMessage && message !== null
        ? { message: context.state.messages.toApi(message) }
        : {}),
    },
  };
}

export const CALLBACK_ROUTES: readonly Route[] = [
  route("POST", "/interactions/:interaction/:token/callback", callback, { auth: false }),
];
