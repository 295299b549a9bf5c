import { InteractionResponseType, MessageFlags } from "discord.js";
import { createResponse, webhookMessage } from "../interaction-messages.ts";
import type { FakeInteraction } from "../interactions.ts";
import type { StoredMessage } from "../message-store.ts";
import { readMessageBody } from "../message-writer.ts";
import { errors, type FakeResponse, json, NO_CONTENT } from "../responses.ts";
import { type Route, type RouteContext, route } from "../state.ts";

/**
 * The interaction whose token is in the path. Its webhook exists only once the interaction is
 * acknowledged; before that (and for an unknown token) Discord answers Unknown Webhook.
 */
function acknowledged(context: RouteContext): FakeInteraction | undefined {
  const { state, params } = context;
  if (params.app !== state.applicationId) return undefined;
  const interaction = state.interactions.byToken(params.token ?? "");
  return interaction?.callback === undefined ? undefined : interaction;
}

function withMessage(
  answer: (
    context: RouteContext,
    interaction: FakeInteraction,
    message: StoredMessage,
  ) => FakeResponse,
) {
  return (context: RouteContext): FakeResponse => {
    const interaction = acknowledged(context);
    if (interaction === undefined) return errors.unknownWebhook();
    // discord.js URL-encodes the id: "@original" arrives as "%40original" (decoded by the router).
    const message = webhookMessage(context.state, interaction, context.params.message ?? "");
    return message === undefined ? errors.unknownMessage() : answer(context, interaction, message);
  };
}

/**
 * POST /webhooks/:app/:token: a follow-up. After a deferred reply the first follow-up fills in
 * the "thinking…" message instead of adding one (and keeps its ephemerality), as Discord does.
 */
function followUp(context: RouteContext): FakeResponse {
  const interaction = acknowledged(context);
  if (interaction === undefined) return errors.unknownWebhook();
  const body = readMessageBody(context.body);
  if (body === undefined) return errors.invalidJson();
  const { state } = context;
  const original =
    interaction.callback?.type === InteractionResponseType.DeferredChannelMessageWithSource &&
    interaction.originalMessageId !== null
      ? state.messages.get(interaction.originalMessageId)
      : undefined;
  const stillThinking = original !== undefined && (original.flags & MessageFlags.Loading) !== 0;
  const written = stillThinking
    ? state.writer.edit(original, body)
    : createResponse(state, interaction, body);
  if (!written.ok) return written.response;
  if (!stillThinking) interaction.followUpIds.push(written.message.id);
  // Without ?wait=true Discord answers 204 and the caller learns nothing about the message.
  return context.query.get("wait") === "true"
    ? json(state.messages.toApi(written.message))
    : NO_CONTENT;
}

export const WEBHOOK_ROUTES: readonly Route[] = [
  route("POST", "/webhooks/:app/:token", followUp, { auth: false }),
  route(
    "GET",
    "/webhooks/:app/:token/messages/:message",
    withMessage(({ state }, _interaction, message) => json(state.messages.toApi(message))),
    { auth: false },
  ),
  route(
    "PATCH",
    "/webhooks/:app/:token/messages/:message",
    withMessage((context, _interaction, message) => {
      const body = readMessageBody(context.body);
      if (body === undefined) return errors.invalidJson();
      const written = context.state.writer.edit(message, body);
      return written.ok ? json(context.state.messages.toApi(written.message)) : written.response;
    }),
    { auth: false },
  ),
  route(
    "DELETE",
    "/webhooks/:app/:token/messages/:message",
    withMessage(({ state }, _interaction, message) => {
      state.messages.delete(message.id);
      return NO_CONTENT;
    }),
    { auth: false },
  ),
];
