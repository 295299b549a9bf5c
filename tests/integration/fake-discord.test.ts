import { GatewayIntentBits, GatewayOpcodes } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
