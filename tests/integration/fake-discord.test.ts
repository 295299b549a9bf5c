import {
  Client,
  Events,
  GatewayIntentBits,
  GatewayOpcodes,
  HTTPError,
  RateLimitError,
  REST,
  Routes,
} from "discord.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type FakeDiscord, startFakeDiscord } from "../support/fake-discord/server.ts";

// The fake Discord's own fidelity, checked with a plain HTTP client and a plain WebSocket: what
// the end-to-end tests rely on when the real discord.js talks to it.

const APP = "100000000000000009";
const TOKEN = "fidelity-token";
const GUILD = "200000000000000009";

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await startFakeDiscord({
    applicationId: APP,
    botToken: TOKEN,
    guilds: [
      {
        id: GUILD,
        name: "Fidelity",
        channels: [{ id: "300000000000000009", name: "general" }],
        members: [{ id: "500000000000000009", username: "owner" }],
      },
    ],
  });
});
afterAll(() => discord.close());

const bot = { authorization: `Bot ${TOKEN}` };

describe("fake Discord REST", () => {
  it("answers an unknown route with Discord's 404 JSON and records it", async () => {
    const response = await fetch(`${discord.apiBase}/v10/no/such/route`, { headers: bot });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: "404: Not Found", code: 0 });
    expect(discord.unknownRoutes).toContainEqual({ method: "GET", path: "/api/v10/no/such/route" });
  });

  it("refuses a request without the bot token with 401, as Discord does", async () => {
    const response = await fetch(`${discord.apiBase}/v10/gateway/bot`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: "401: Unauthorized", code: 0 });
  });

  it("records whom a message notifies: every mention without allowed_mentions, only the listed ones with it, and refuses parse users together with a users list", async () => {
    const send = (body: Record<string, unknown>) =>
      fetch(`${discord.apiBase}/v10/channels/300000000000000009/messages`, {
        method: "POST",
        headers: { ...bot, "content-type": "application/json" },
        body: JSON.stringify({ content: "@everyone <@&123> <@!456> <@789>", ...body }),
      });
    expect((await send({})).status).toBe(200);
    expect((await send({ allowed_mentions: { parse: [], users: ["789"] } })).status).toBe(200);
    const refused = await send({ allowed_mentions: { parse: ["users"], users: ["789"] } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 50035 });

    const [unguarded, guarded] = discord.messageWrites().slice(-2);
    expect(unguarded?.allowedMentions).toBeUndefined();
    expect(unguarded?.pings).toEqual({ everyone: true, users: ["456", "789"], roles: ["123"] });
    expect(guarded?.allowedMentions).toEqual({
      parse: [],
      users: ["789"],
      roles: undefined,
      replied_user: undefined,
    });
    expect(guarded?.pings).toEqual({ everyone: false, users: ["789"], roles: [] });
  });

  it("hands out its gateway with session_start_limit", async () => {
    const response = await fetch(`${discord.apiBase}/v10/gateway/bot`, { headers: bot });
    const body = (await response.json()) as { url: string; session_start_limit: unknown };
    expect(body.url).toBe(discord.gatewayUrl);
    expect(body.session_start_limit).toMatchObject({
      total: expect.any(Number),
      max_concurrency: 1,
    });
  });
});

/** Collects the gateway's payloads on one socket. */
function connect(): {
  ws: WebSocket;
  next: (op: number, t?: string) => Promise<Record<string, unknown>>;
} {
  const ws = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json`);
  const seen: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (raw) => {
    seen.push(JSON.parse(String(raw)) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (op: number, t?: string) => {
    for (;;) {
      const index = seen.findIndex((p) => p.op === op && (t === undefined || p.t === t));
      if (index >= 0) return seen.splice(index, 1)[0] as Record<string, unknown>;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ws, next };
}

describe("fake Discord gateway", () => {
  it("says HELLO, answers IDENTIFY with READY and GUILD_CREATE, and ACKs heartbeats", async () => {
    const { ws, next } = connect();
    const hello = await next(GatewayOpcodes.Hello);
    expect(hello.d).toMatchObject({ heartbeat_interval: expect.any(Number) });

    ws.send(
      JSON.stringify({
        op: GatewayOpcodes.Identify,
        d: {
          token: TOKEN,
          intents: GatewayIntentBits.Guilds,
          properties: { os: "linux", browser: "test", device: "test" },
        },
      }),
    );
    const ready = await next(GatewayOpcodes.Dispatch, "READY");
    expect(ready.d).toMatchObject({
      v: 10,
      application: { id: APP },
      guilds: [{ id: GUILD, unavailable: true }],
      resume_gateway_url: expect.stringContaining("ws://127.0.0.1"),
    });
    const guild = await next(GatewayOpcodes.Dispatch, "GUILD_CREATE");
    expect(guild.d).toMatchObject({ id: GUILD, channels: [{ name: "general" }] });

    ws.send(JSON.stringify({ op: GatewayOpcodes.Heartbeat, d: ready.s }));
    expect((await next(GatewayOpcodes.HeartbeatAck)).op).toBe(GatewayOpcodes.HeartbeatAck);
    ws.close();
  });

  it("closes with 4004 when IDENTIFY carries the wrong token", async () => {
    const { ws, next } = connect();
    await next(GatewayOpcodes.Hello);
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    ws.send(
      JSON.stringify({
        op: GatewayOpcodes.Identify,
        d: { token: "wrong", intents: 1, properties: { os: "linux", browser: "t", device: "t" } },
      }),
    );
    expect(await closed).toBe(4004);
  });
});

const CHANNEL = "300000000000000009";

/** discord.js's REST client against the fake; retries 0 and 429s rejected, as the outbox uses it. */
function rest(options: { retries?: number; rejectOnRateLimit?: boolean } = {}): REST {
  return new REST({
    api: discord.apiBase,
    retries: options.retries ?? 0,
    ...(options.rejectOnRateLimit === false ? {} : { rejectOnRateLimit: () => true }),
  }).setToken(TOKEN);
}

const send = (client: REST, body: Record<string, unknown>) =>
  client.post(Routes.channelMessages(CHANNEL), { body }) as Promise<{ id: string }>;

describe("fake Discord outages, as discord.js sees them", () => {
  afterEach(() => discord.endOutage());

  it("given REST answers 503 for two requests, a client without retries gets HTTPError 503 and discord.js's default retries get through", async () => {
    discord.startOutage({ mode: { kind: "unavailable" }, requests: 3 });
    const error = await send(rest(), { content: "during" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).status).toBe(503);
    const sent = await send(rest({ retries: 3 }), { content: "through" });
    expect(discord.message(sent.id)?.content).toBe("through");
    expect(discord.outageHits.unavailable).toBe(3);
  });

  it("given Cloudflare answers 502 with an HTML page, discord.js reports HTTPError 502 and nothing is posted", async () => {
    discord.startOutage({ mode: { kind: "bad_gateway" } });
    const raw = await fetch(`${discord.apiBase}/v10/channels/${CHANNEL}/messages`, {
      method: "POST",
      headers: { ...bot, "content-type": "application/json" },
      body: JSON.stringify({ content: "x" }),
    });
    expect(raw.status).toBe(502);
    expect(raw.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await raw.text()).toContain("cloudflare");
    const before = discord.channelMessages(CHANNEL).length;
    const error = await send(rest(), { content: "lost" }).catch((e: unknown) => e);
    expect((error as HTTPError).status).toBe(502);
    expect(discord.channelMessages(CHANNEL)).toHaveLength(before);
  });

  it("given a route's 429, answers retry_after in the body and the x-ratelimit headers, and discord.js rejects with the wait", async () => {
    discord.startOutage({ mode: { kind: "rate_limited", retryAfterMs: 1500 }, requests: 1 });
    const raw = await fetch(`${discord.apiBase}/v10/channels/${CHANNEL}/messages`, {
      method: "POST",
      headers: { ...bot, "content-type": "application/json" },
      body: JSON.stringify({ content: "x" }),
    });
    expect(raw.status).toBe(429);
    expect(await raw.json()).toEqual({
      message: "You are being rate limited.",
      retry_after: 1.5,
      global: false,
    });
    expect(raw.headers.get("retry-after")).toBe("2");
    expect(raw.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(raw.headers.get("x-ratelimit-reset-after")).toBe("1.5");
    expect(raw.headers.get("x-ratelimit-bucket")).not.toBeNull();

    discord.startOutage({ mode: { kind: "rate_limited", retryAfterMs: 1500 }, requests: 1 });
    const error = await send(rest(), { content: "limited" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).global).toBe(false);
    expect((error as RateLimitError).retryAfter).toBeGreaterThanOrEqual(1500);
  });

  it("given the global 429, says so in the body and headers and discord.js reports it as global", async () => {
    discord.startOutage({
      mode: { kind: "rate_limited", retryAfterMs: 1000, global: true },
      requests: 1,
    });
    const error = await send(rest(), { content: "limited" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).global).toBe(true);
    expect((error as RateLimitError).retryAfter).toBeGreaterThanOrEqual(1000);
  });

  it("given a create whose answer is lost, the message exists and discord.js sees a network error", async () => {
    discord.startOutage({ mode: { kind: "answer_lost" }, requests: 1 });
    const error = await send(rest(), { content: "arrived unanswered" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(HTTPError);
    expect(discord.channelMessages(CHANNEL).map((m) => m.content)).toContain("arrived unanswered");
    expect(discord.outageHits.answer_lost).toBe(1);
  });

  it("given a second create with the same nonce and enforce_nonce, returns the first message and posts nothing new", async () => {
    const client = rest();
    const first = await send(client, { content: "once", nonce: "n-1", enforce_nonce: true });
    const again = await send(client, { content: "once", nonce: "n-1", enforce_nonce: true });
    expect(again.id).toBe(first.id);
    expect(discord.channelMessages(CHANNEL).filter((m) => m.content === "once")).toHaveLength(1);

    const loose = await send(client, { content: "once", nonce: "n-1" });
    expect(loose.id).not.toBe(first.id);
    const tooLong = await send(client, { content: "x", nonce: "n".repeat(26) }).catch(
      (e: unknown) => e,
    );
    expect((tooLong as { code?: number }).code).toBe(50035);
  });

  it.each([1006, 4000] as const)(
    "given the gateway drops the connection with %i, discord.js resumes its session",
    async (code) => {
      const client = new Client({
        intents: [GatewayIntentBits.Guilds],
        rest: { api: discord.apiBase },
      });
      try {
        const ready = new Promise<void>((resolve) =>
          client.once(Events.ClientReady, () => resolve()),
        );
        await client.login(TOKEN);
        await ready;
        const before = discord.gatewayConnections.length;
        const resumed = new Promise<void>((resolve) =>
          client.once(Events.ShardResume, () => resolve()),
        );
        discord.dropGatewayConnections(code);
        await resumed;
        expect(discord.gatewayConnections.slice(before).map((c) => c.start)).toEqual(["resume"]);
      } finally {
        await client.destroy();
      }
    },
  );
});
