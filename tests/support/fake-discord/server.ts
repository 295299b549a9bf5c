import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { apiChannel } from "./api-shapes.ts";
import { AttachmentCdn, type AttachmentRef } from "./attachment-cdn.ts";
import { type CommandRegistration, CommandStore } from "./command-store.ts";
import { Gateway, type GatewayConnectionRecord } from "./gateway.ts";
import { guildCreateEvents, memberChunks, readyEvent } from "./gateway-events.ts";
import { type BotUser, FakeGuild, GuildDirectory } from "./guilds.ts";
import {
  type PipelineRecords,
  type RecordedRequest,
  requestListener,
  type UnknownRoute,
} from "./http-pipeline.ts";
import type { InteractionHandle } from "./interaction-handle.ts";
import { type FakeInteractionRecord, InteractionRegistry } from "./interactions.ts";
import { MessageNonces } from "./message-nonces.ts";
import { type ApiMessage, MessageStore } from "./message-store.ts";
import { type MessageWrite, MessageWriter } from "./message-writer.ts";
import {
  DEFAULT_REPLY_TIMEOUT_MS,
  DISCORD_ANSWER_DEADLINE_MS,
  DISCORD_HEARTBEAT_INTERVAL_MS,
  type FakeDiscordOptions,
} from "./options.ts";
import { type RestOutage, type RestOutageMode, RestOutages } from "./outages.ts";
import {
  type AutocompleteInput,
  autocomplete,
  type PressButtonInput,
  pressButton,
  type RunCommandInput,
  runCommand,
  type SubmitModalInput,
  submitModal,
} from "./person-actions.ts";
import { Snowflakes } from "./snowflakes.ts";
import type { FakeDiscordState } from "./state.ts";

export type { AttachmentRef } from "./attachment-cdn.ts";
export type { CommandRegistration, StoredCommand } from "./command-store.ts";
export type { GatewayConnectionRecord } from "./gateway.ts";
export type { RecordedRequest, UnknownRoute } from "./http-pipeline.ts";
export type { InteractionHandle, ReplyOptions, ShownModal } from "./interaction-handle.ts";
export type { FakeInteractionRecord } from "./interactions.ts";
export type { AllowedMentions, Pings } from "./message-mentions.ts";
export type { ApiMessage } from "./message-store.ts";
export type { MessageWrite } from "./message-writer.ts";
export type * from "./options.ts";
export type { RestOutage, RestOutageMode } from "./outages.ts";
export type { Person } from "./person-actions.ts";

/** A running fake Discord (REST API v10, gateway, attachment CDN) on 127.0.0.1. */
export interface FakeDiscord {
  /** For DISCORD_API_BASE and discord.js's `rest.api`, e.g. "http://127.0.0.1:43210/api". */
  readonly apiBase: string;
  /** The gateway URL GET /gateway/bot hands out, e.g. "ws://127.0.0.1:43210/gateway". */
  readonly gatewayUrl: string;
  readonly applicationId: string;
  readonly bot: BotUser;
  /** Every command registration (PUT bulk overwrite or POST), oldest first. */
  readonly commandRegistrations: readonly CommandRegistration[];
  /** Every HTTP request with its answer's status, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Requests for paths (or methods) Discord does not serve, answered 404 (405). */
  readonly unknownRoutes: readonly UnknownRoute[];
  /** Every gateway connection and how the client began it (identify or resume). */
  readonly gatewayConnections: readonly GatewayConnectionRecord[];
  /** Resolves once a client identified and was sent READY and its guilds. */
  botReady(): Promise<void>;
  /** A file a person can attach to a slash command (an attachment option's value). */
  addAttachment(filename: string, contentType: string, bytes: Buffer): AttachmentRef;
  /** The bytes of an attachment the fake holds, by attachment id or URL. */
  attachmentBytes(idOrUrl: string): Buffer | undefined;
  runCommand(input: RunCommandInput): Promise<InteractionHandle>;
  pressButton(input: PressButtonInput): Promise<InteractionHandle>;
  submitModal(input: SubmitModalInput): Promise<InteractionHandle>;
  autocomplete(input: AutocompleteInput): Promise<InteractionHandle>;
  /** The channel as people see it, oldest first, edits applied, without ephemeral messages. */
  channelMessages(channelId: string): ApiMessage[];
  /**
   * The first message in the channel (edits applied, ephemeral ones left out) that passes
   * `matches`, as soon as one does; rejects after `timeoutMs` (5000 by default).
   */
  waitForChannelMessage(
    channelId: string,
    matches: (message: ApiMessage) => boolean,
    timeoutMs?: number,
  ): Promise<ApiMessage>;
  /**
   * Every message created or edited, through any route (channel messages, interaction replies,
   * follow-ups, webhook edits), with the allowed_mentions it was sent with and whom it notified.
   */
  messageWrites(): readonly MessageWrite[];
  /** Any message the fake holds (ephemeral ones too), as Discord would return it. */
  message(id: string): ApiMessage | undefined;
  /** Every interaction sent, with whether and when the bot answered. */
  interactions(): FakeInteractionRecord[];
  /** Interactions whose first callback came after the deadline, or never came before it. */
  interactionsAnsweredLate(): FakeInteractionRecord[];
  /**
   * Deletes a channel as a person would in Discord: the gateway sends CHANNEL_DELETE, and REST
   * answers 10003 Unknown Channel for it from then on.
   */
  deleteChannel(channelId: string): void;
  /** Replaces a member's roles; later interactions carry the permissions that follow. */
  setMemberRoles(guildId: string, memberId: string, roleIds: readonly string[]): void;
  /** Sends op 7 Reconnect to connected clients; they resume on READY's resume_gateway_url. */
  requestReconnect(): void;
  /** Drops gateway connections with 1006 (no close frame) or 4000; clients then RESUME. */
  dropGatewayConnections(code: 1006 | 4000): void;
  /** Starts a REST outage (see RestOutageMode); several may run at once. */
  startOutage(outage: RestOutage): void;
  /** Ends every REST outage. */
  endOutage(): void;
  /** Requests each outage mode answered (or dropped the answer of) so far. */
  readonly outageHits: Readonly<Record<RestOutageMode["kind"], number>>;
  /** Closes gateway sockets and the HTTP server; destroy the discord.js client first. */
  close(): Promise<void>;
}

export async function startFakeDiscord(options: FakeDiscordOptions): Promise<FakeDiscord> {
  const now = options.now ?? (() => Date.now());
  const sockets = new Set<Socket>();
  const server = createServer();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  // Handlers are attached once the port is known: nobody can connect before that anyway.
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
  const state = buildState(options, now, origin, gatewayUrl);
  const records: PipelineRecords = { requests: [], unknownRoutes: [] };
  server.on("request", requestListener(state, options.botToken, records));
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? "/", origin).pathname;
    if (path === "/gateway" || path === "/gateway/resume") {
      state.gateway.handleUpgrade(request, socket, head);
    } else socket.destroy();
  });

  let closing: Promise<void> | undefined;
  return {
    apiBase: `${origin}/api`,
    gatewayUrl,
    applicationId: options.applicationId,
    bot: state.bot,
    commandRegistrations: state.commands.registrations,
    requests: records.requests,
    unknownRoutes: records.unknownRoutes,
    gatewayConnections: state.gateway.connections,
    botReady: () => state.gateway.whenReady(),
    addAttachment: (filename, contentType, bytes) =>
      state.cdn.addCommandUpload(state.applicationId, filename, contentType, bytes),
    attachmentBytes: (idOrUrl) => state.cdn.bytesOf(idOrUrl),
    runCommand: (input) => runCommand(state, input),
    pressButton: (input) => pressButton(state, input),
    submitModal: (input) => submitModal(state, input),
    autocomplete: (input) => autocomplete(state, input),
    channelMessages: (channelId) =>
      state.messages.visibleIn(channelId).map((message) => state.messages.toApi(message)),
    waitForChannelMessage: (channelId, matches, timeoutMs = DEFAULT_REPLY_TIMEOUT_MS) =>
      waitForChannelMessage(state, channelId, matches, timeoutMs),
    messageWrites: () => [...state.writer.writes],
    message(id) {
      const message = state.messages.get(id);
      return message === undefined ? undefined : state.messages.toApi(message);
    },
    interactions: () => state.interactions.records(),
    interactionsAnsweredLate: () => state.interactions.records().filter((record) => record.late),
    setMemberRoles(guildId, memberId, roleIds) {
      const guild = state.guilds.guild(guildId);
      if (guild === undefined) throw new Error(`the fake has no guild ${guildId}`);
      guild.setMemberRoles(memberId, roleIds);
    },
    deleteChannel(channelId) {
      const found = state.guilds.channel(channelId);
      if (found === undefined) throw new Error(`the fake has no channel ${channelId}`);
      const payload = apiChannel(found.guild, found.channel);
      found.guild.removeChannel(channelId);
      for (const session of state.gateway.sessionsFor(found.guild.id)) {
        session.dispatch("CHANNEL_DELETE", payload);
      }
    },
    requestReconnect: () => state.gateway.requestReconnect(),
    dropGatewayConnections: (code) => state.gateway.dropConnections(code),
    startOutage: (outage) => state.outages.start(outage),
    endOutage: () => state.outages.end(),
    outageHits: state.outages.hits,
    close() {
      closing ??= (async () => {
        state.interactions.close();
        await state.gateway.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await closed;
      })();
      return closing;
    },
  };
}

function buildState(
  options: FakeDiscordOptions,
  now: () => number,
  origin: string,
  gatewayUrl: string,
): FakeDiscordState {
  const bot: BotUser = {
    id: options.bot?.id ?? options.applicationId,
    username: options.bot?.username ?? "Herald",
  };
  const ids = new Snowflakes(now);
  const guilds = new GuildDirectory(
    options.guilds.map((guild) => new FakeGuild(guild, bot, now())),
  );
  const privilegedIntents = (options.privilegedIntents ?? []).reduce((all, bit) => all | bit, 0);
  const messages = new MessageStore(ids, now, bot);
  const cdn = new AttachmentCdn(origin, ids, now);
  const context = {
    applicationId: options.applicationId,
    bot,
    guilds,
    privilegedIntents,
    resumeUrl: () => `${gatewayUrl}/resume`,
  };
  const gateway = new Gateway({
    token: options.botToken,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DISCORD_HEARTBEAT_INTERVAL_MS,
    privilegedIntents,
    readyEvent: (session) => readyEvent(context, session),
    guildCreateEvents: (session) => guildCreateEvents(context, session),
    memberChunks: (request, session) => memberChunks(context, request, session),
  });
  return {
    applicationId: options.applicationId,
    bot,
    guilds,
    ids,
    now,
    messages,
    writer: new MessageWriter(messages, cdn),
    nonces: new MessageNonces(now),
    outages: new RestOutages(now),
    cdn,
    commands: new CommandStore(options.applicationId, ids),
    interactions: new InteractionRegistry(options.answerDeadlineMs ?? DISCORD_ANSWER_DEADLINE_MS),
    gateway,
    gatewayUrl,
    replyTimeoutMs: options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS,
    privilegedIntents,
  };
}

function waitForChannelMessage(
  state: FakeDiscordState,
  channelId: string,
  matches: (message: ApiMessage) => boolean,
  timeoutMs: number,
): Promise<ApiMessage> {
  return state.messages.waitFor(
    () =>
      state.messages
        .visibleIn(channelId)
        .map((message) => state.messages.toApi(message))
        .find(matches),
    timeoutMs,
    `no matching message in channel ${channelId} within ${timeoutMs} ms`,
  );
}
