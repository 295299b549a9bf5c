import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes } from "discord.js";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { GatewaySession } from "./gateway-session.ts";
import { isRecord } from "./message-drafts.ts";

/** What the gateway needs to know about the world to speak for Discord. */
export interface GatewayWorld {
  readonly token: string;
  readonly heartbeatIntervalMs: number;
  /** Privileged intents enabled for the application in the developer portal. */
  readonly privilegedIntents: number;
  readyEvent(session: GatewaySession): unknown;
  guildCreateEvents(session: GatewaySession): unknown[];
  /** GUILD_MEMBERS_CHUNK answers to a Request Guild Members (op 8); none when Discord ignores it. */
  memberChunks(request: Record<string, unknown>, session: GatewaySession): unknown[];
}

export interface GatewayConnectionRecord {
  /** Path and query the client connected to, e.g. "/gateway?v=10&encoding=json". */
  readonly url: string;
  /** How the client began the session on this socket. */
  start: "identify" | "resume" | null;
}

const PRIVILEGED_INTENTS =
  GatewayIntentBits.GuildMembers |
  GatewayIntentBits.GuildPresences |
  GatewayIntentBits.MessageContent;

/**
 * Discord's gateway on the fake's HTTP server: HELLO, IDENTIFY → READY and GUILD_CREATE,
 * heartbeats, RESUME → replay and RESUMED, Request Guild Members, and dispatching events.
 */
export class Gateway {
  readonly connections: GatewayConnectionRecord[] = [];
  private readonly server = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, GatewaySession>();
  private readonly readyWaiters: (() => void)[] = [];

  constructor(private readonly world: GatewayWorld) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request.url ?? "/"));
  }

  /** Sessions that receive `guildId`'s events: identified, connected and on the right shard. */
  sessionsFor(guildId: string | null): GatewaySession[] {
    return [...this.sessions.values()].filter(
      (session) => session.isOpen && session.guildsSent && session.servesGuild(guildId),
    );
  }

  /** Resolves once a client has identified and been sent its guilds. */
  whenReady(): Promise<void> {
    if ([...this.sessions.values()].some((session) => session.guildsSent)) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends op 7 Reconnect: the client closes and RESUMEs on READY's resume_gateway_url. */
  requestReconnect(): void {
    for (const ws of this.server.clients) send(ws, { op: GatewayOpcodes.Reconnect, d: null });
  }

  /**
   * Ends every connection as a failing network or Discord does: 1006 is no close frame at all
   * (the socket just ends), 4000 "Unknown error" is Discord's own close. Sessions are kept, so
   * the clients RESUME them.
   */
  dropConnections(code: 1006 | 4000): void {
    for (const ws of this.server.clients) {
      if (code === 1006) ws.terminate();
      else ws.close(GatewayCloseCodes.UnknownError, "Unknown error.");
    }
  }

  close(): Promise<void> {
    for (const ws of this.server.clients) ws.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(ws: WebSocket, url: string): void {
    const record: GatewayConnectionRecord = { url, start: null };
    this.connections.push(record);
    const query = new URL(url, "ws://fake-discord.invalid").searchParams;
    // Real Discord also offers etf and zlib-stream; discord.js asks for zlib-stream only when
    // zlib-sync is installed, and reads plain text frames either way, so json text is enough.
    if (query.get("v") !== "10") {
      ws.close(GatewayCloseCodes.InvalidAPIVersion, "Invalid API version");
      return;
    }
    if (query.get("encoding") !== "json") {
      ws.close(GatewayCloseCodes.DecodeError, "Error while decoding payload.");
      return;
    }
    let session: GatewaySession | undefined;
    ws.on("message", (raw: RawData) => {
      const payload = parse(raw);
      if (payload === undefined)
        return ws.close(GatewayCloseCodes.DecodeError, "Error while decoding payload.");
      session = this.handle(ws, payload, session, record);
    });
    send(ws, {
      op: GatewayOpcodes.Hello,
      d: { heartbeat_interval: this.world.heartbeatIntervalMs, _trace: ["fake-discord"] },
    });
  }

  private handle(
    ws: WebSocket,
    payload: Record<string, unknown>,
    session: GatewaySession | undefined,
    record: GatewayConnectionRecord,
  ): GatewaySession | undefined {
    const data = isRecord(payload.d) ? payload.d : {};
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        send(ws, { op: GatewayOpcodes.HeartbeatAck, d: null });
        return session;
      case GatewayOpcodes.Identify:
        if (session !== undefined)
          ws.close(GatewayCloseCodes.AlreadyAuthenticated, "Already authenticated.");
        else {
          record.start = "identify";
          return this.identify(ws, data);
        }
        return session;
      case GatewayOpcodes.Resume:
        record.start = "resume";
        return this.resume(ws, data);
      case GatewayOpcodes.RequestGuildMembers:
        if (session === undefined)
          ws.close(GatewayCloseCodes.NotAuthenticated, "Not authenticated.");
        else
          for (const chunk of this.world.memberChunks(data, session))
            session.dispatch("GUILD_MEMBERS_CHUNK", chunk);
        return session;
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
        if (session === undefined)
          ws.close(GatewayCloseCodes.NotAuthenticated, "Not authenticated.");
        return session;
      default:
        ws.close(GatewayCloseCodes.UnknownOpcode, "Unknown opcode.");
        return session;
    }
  }

  private identify(ws: WebSocket, data: Record<string, unknown>): GatewaySession | undefined {
    if (data.token !== this.world.token) {
      ws.close(GatewayCloseCodes.AuthenticationFailed, "Authentication failed.");
      return undefined;
    }
    const intents = typeof data.intents === "number" ? data.intents : undefined;
    if (intents === undefined) {
      ws.close(GatewayCloseCodes.InvalidIntents, "Invalid intent(s).");
      return undefined;
    }
    if ((intents & PRIVILEGED_INTENTS & ~this.world.privilegedIntents) !== 0) {
      ws.close(GatewayCloseCodes.DisallowedIntents, "Disallowed intent(s).");
      return undefined;
    }
    const shard = Array.isArray(data.shard) ? data.shard.map(Number) : [0, 1];
    const session = new GatewaySession(ws, intents, [shard[0] ?? 0, shard[1] ?? 1]);
    this.sessions.set(session.id, session);
    session.dispatch("READY", this.world.readyEvent(session));
    // discord.js handles gateway messages concurrently; a GUILD_CREATE read in the same chunk
    // as READY can overtake it, leaving the guild "unavailable" and the client waiting 15 s.
    // The client answers a ping only after reading READY, so GUILD_CREATE follows the pong.
    ws.once("pong", () => {
      if ((intents & GatewayIntentBits.Guilds) !== 0) {
        for (const guild of this.world.guildCreateEvents(session))
          session.dispatch("GUILD_CREATE", guild);
      }
      session.guildsSent = true;
      for (const wake of this.readyWaiters.splice(0)) wake();
    });
    ws.ping();
    return session;
  }

  private resume(ws: WebSocket, data: Record<string, unknown>): GatewaySession | undefined {
    if (data.token !== this.world.token) {
      ws.close(GatewayCloseCodes.AuthenticationFailed, "Authentication failed.");
      return undefined;
    }
    const session = this.sessions.get(String(data.session_id));
    if (session === undefined) {
      // d: false — the session cannot be resumed; the client identifies anew.
      send(ws, { op: GatewayOpcodes.InvalidSession, d: false });
      return undefined;
    }
    session.resumeOn(ws, typeof data.seq === "number" ? data.seq : 0);
    return session;
  }
}

function send(ws: WebSocket, payload: { op: number; d: unknown }): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ s: null, t: null, ...payload }));
}

function parse(raw: RawData): Record<string, unknown> | undefined {
  try {
    const bytes = Array.isArray(raw)
      ? Buffer.concat(raw)
      : raw instanceof ArrayBuffer
        ? Buffer.from(raw)
        : raw;
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
