import { ChannelType, MessageType, PermissionFlagsBits } from "discord.js";
import { apiChannel } from "../api-shapes.ts";
import type { FakeGuild } from "../guilds.ts";
import { NONCE_MAX_LENGTH, readNonce } from "../message-nonces.ts";
import type { StoredMessage } from "../message-store.ts";
import { readMessageBody } from "../message-writer.ts";
import type { FakeChannelDefinition } from "../options.ts";
import { hasAll } from "../permissions.ts";
import { errors, type FakeResponse, invalidFormBody, json, NO_CONTENT } from "../responses.ts";
import { type Route, type RouteContext, route } from "../state.ts";

/** Channel types a message can be sent in (text, voice text chat, announcements, threads). */
const TEXT_BASED: readonly number[] = [
  ChannelType.GuildText,
  ChannelType.GuildVoice,
  ChannelType.GuildAnnouncement,
  ChannelType.AnnouncementThread,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.GuildStageVoice,
];

interface ChannelContext extends RouteContext {
  readonly guild: FakeGuild;
  readonly channel: FakeChannelDefinition;
}

/** Runs `answer` for a channel the bot can see, or answers as Discord does. */
function inChannel(answer: (context: ChannelContext) => FakeResponse) {
  return (context: RouteContext): FakeResponse => {
    const found = context.state.guilds.channel(context.params.channel ?? "");
    if (found === undefined) return errors.unknownChannel();
    if (!botMay(found.guild, PermissionFlagsBits.ViewChannel)) return errors.missingAccess();
    return answer({ ...context, ...found });
  };
}

/** Runs `answer` for a message of the bot in the channel; ephemeral ones are not reachable. */
function onMessage(answer: (context: ChannelContext, message: StoredMessage) => FakeResponse) {
  return inChannel((context) => {
    const message = context.state.messages.get(context.params.message ?? "");
    const visible = context.state.messages.visibleIn(context.channel.id);
    if (message === undefined || !visible.includes(message)) return errors.unknownMessage();
    return answer(context, message);
  });
}

function botMay(guild: FakeGuild, permissions: bigint): boolean {
  return hasAll(guild.permissionsOf(guild.botMember()), permissions);
}

function sendMessage(context: ChannelContext): FakeResponse {
  const { state, guild, channel } = context;
  if (!TEXT_BASED.includes(channel.type ?? 0)) {
    return {
      status: 400,
      body: { message: "Cannot send messages in a non-text channel", code: 50008 },
    };
  }
  const body = readMessageBody(context.body);
  if (body === undefined) return errors.invalidJson();
  const needed =
    PermissionFlagsBits.SendMessages | (body.files.size > 0 ? PermissionFlagsBits.AttachFiles : 0n);
  if (!botMay(guild, needed)) return errors.missingPermissions();
  const nonce = readNonce(
    context.body.kind === "json" || context.body.kind === "form" ? context.body.value : undefined,
  );
  if (nonce !== undefined && nonce.nonce.length > NONCE_MAX_LENGTH) {
    return invalidFormBody([
      {
        path: ["nonce"],
        code: "BASE_TYPE_MAX_LENGTH",
        message: `Must be ${NONCE_MAX_LENGTH} or fewer in length.`,
      },
    ]);
  }
  if (nonce?.enforce === true) {
    // A repeat of a create Discord already carried out: the first message, nothing new.
    const earlier = state.nonces.find(channel.id, nonce.nonce);
    const message = earlier === undefined ? undefined : state.messages.get(earlier);
    if (message !== undefined) return json(state.messages.toApi(message));
  }
  const written = state.writer.create(body, {
    channelId: channel.id,
    guildId: guild.id,
    type: MessageType.Default,
    webhookId: null,
    interactionMetadata: null,
  });
  if (!written.ok) return written.response;
  if (nonce !== undefined) state.nonces.remember(channel.id, nonce.nonce, written.message.id);
  return json(state.messages.toApi(written.message));
}

/** GET /channels/:id/messages: newest first, `limit` 1–100 (50), before / after / around. */
function listMessages({ state, channel, query }: ChannelContext): FakeResponse {
  const limit = Math.min(Math.max(Number(query.get("limit") ?? 50), 1), 100);
  const newestFirst = state.messages.visibleIn(channel.id).reverse();
  const id = (message: StoredMessage) => BigInt(message.id);
  const before = query.get("before");
  const after = query.get("after");
  const around = query.get("around");
  let selected = newestFirst;
  if (before !== null) selected = newestFirst.filter((m) => id(m) < BigInt(before));
  else if (after !== null) {
    selected = newestFirst.filter((m) => id(m) > BigInt(after)).slice(-limit);
  } else if (around !== null) {
    const index = newestFirst.findIndex((m) => id(m) <= BigInt(around));
    const start = Math.max(0, (index === -1 ? newestFirst.length : index) - Math.floor(limit / 2));
    selected = newestFirst.slice(start);
  }
  return json(selected.slice(0, limit).map((message) => state.messages.toApi(message)));
}

export const CHANNEL_ROUTES: readonly Route[] = [
  route(
    "GET",
    "/channels/:channel",
    inChannel(({ guild, channel }) => json(apiChannel(guild, channel))),
  ),
  route("POST", "/channels/:channel/messages", inChannel(sendMessage)),
  route("GET", "/channels/:channel/messages", inChannel(listMessages)),
  route(
    "GET",
    "/channels/:channel/messages/:message",
    onMessage(({ state }, message) => json(state.messages.toApi(message))),
  ),
  route(
    "PATCH",
    "/channels/:channel/messages/:message",
    onMessage((context, message) => {
      const body = readMessageBody(context.body);
      if (body === undefined) return errors.invalidJson();
      const written = context.state.writer.edit(message, body);
      return written.ok ? json(context.state.messages.toApi(written.message)) : written.response;
    }),
  ),
  route(
    "DELETE",
    "/channels/:channel/messages/:message",
    onMessage(({ state }, message) => {
      state.messages.delete(message.id);
      return NO_CONTENT;
    }),
  ),
];
