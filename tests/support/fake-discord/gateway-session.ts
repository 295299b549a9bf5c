import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";

/** A gateway payload as Discord frames it. */
export interface GatewayPayload {
  readonly op: number;
  readonly d: unknown;
  readonly s: number | null;
  readonly t: string | null;
}

/** Events kept for RESUME; Discord keeps a bounded backlog too. */
const REPLAY_LIMIT = 1000;

/**
 * An identified gateway session. It outlives its socket, so a client that lost the connection
 * can RESUME it on another socket and receive what it missed.
 */
export class GatewaySession {
  readonly id = randomBytes(16).toString("hex");
  /** Set once READY and every GUILD_CREATE went out: the client can become ready. */
  guildsSent = false;
  private sequence = 0;
  private readonly backlog: GatewayPayload[] = [];

  constructor(
    public socket: WebSocket,
    readonly intents: number,
    readonly shard: readonly [id: number, count: number],
  ) {}

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  get lastSequence(): number {
    return this.sequence;
  }

  /** Sends an op 0 event with the next sequence number and keeps it for a resume. */
  dispatch(event: string, data: unknown): void {
    this.sequence += 1;
    const payload: GatewayPayload = { op: 0, t: event, s: this.sequence, d: data };
    this.backlog.push(payload);
    if (this.backlog.length > REPLAY_LIMIT) this.backlog.shift();
    if (this.isOpen) this.socket.send(JSON.stringify(payload));
  }

  /** Moves the session to `socket` and replays every event after `sequence`. */
  resumeOn(socket: WebSocket, sequence: number): void {
    if (this.socket !== socket && this.isOpen) this.socket.close(4000, "Resumed elsewhere");
    this.socket = socket;
    for (const payload of this.backlog) {
      if ((payload.s ?? 0) > sequence) socket.send(JSON.stringify(payload));
    }
    this.dispatch("RESUMED", null);
  }

  /** Whether Discord routes `guildId`'s events to this session: (guild_id >> 22) % shards. */
  servesGuild(guildId: string | null): boolean {
    const [id, count] = this.shard;
    if (guildId === null) return id === 0;
    return Number((BigInt(guildId) >> 22n) % BigInt(count)) === id;
  }
}
