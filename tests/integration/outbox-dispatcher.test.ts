import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOutboxRest } from "../../src/bot/outbox-delivery.ts";
import { OutboxDispatcher, type OutboxEvents } from "../../src/bot/outbox-dispatcher.ts";
import { PrismaOutboxRepository } from "../../src/db/outbox-repository.ts";
import { APPROVAL_CHANNEL, type OutboxDraft } from "../../src/domain/outbox.ts";
import { type Clock, systemClock } from "../../src/domain/ports.ts";
import { type FakeDiscord, startFakeDiscord } from "../support/fake-discord/server.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { type TestDatabase, testDatabases, testProviders } from "../support/test-database.ts";

// The dispatcher against the fake Discord through discord.js's REST: outages, lost answers,
// rate limits, deleted channels and the 24 h give-up.

const APP = "100000000000000071";
const TOKEN = "outbox-token";
const GUILD = "200000000000000071";
const APPROVALS = "300000000000000071";
const OTHER = "300000000000000072";
const GONE = "300000000000000073";

describe.each(testProviders("outbox-dispatcher.test.ts"))(
  "outbox dispatcher on %s against the fake Discord",
  (provider) => {
    const databases = testDatabases(provider, "outbox_dispatcher");
    let discord: FakeDiscord;
    let db: TestDatabase;
    let store: PrismaOutboxRepository;
    let dispatchers: OutboxDispatcher[] = [];
    let logLines: { level: number; msg: string; [key: string]: unknown }[];
    /** The approval message of each post, as the posts table would record it. */
    let shown: Map<number, { channelId: string; messageId: string }>;

    beforeEach(async () => {
      discord = await startFakeDiscord({
        applicationId: APP,
        botToken: TOKEN,
        guilds: [
          {
            id: GUILD,
            name: "Outbox",
            channels: [
              { id: APPROVALS, name: "approvals" },
              { id: OTHER, name: "other" },
              { id: GONE, name: "soon-deleted" },
            ],
            members: [{ id: "500000000000000071", username: "owner" }],
          },
        ],
      });
      db = await databases.fresh();
      store = new PrismaOutboxRepository(db.prisma);
      logLines = [];
      shown = new Map();
    });
    afterEach(async () => {
      await Promise.all(dispatchers.map((started) => started.stop(0)));
      dispatchers = [];
      await discord.close();
    });
    afterAll(() => databases.closeAll());

    function startDispatcher(
      clock: Clock = systemClock,
      client: TestDatabase["prisma"] = db.prisma,
    ): OutboxDispatcher {
      const log = new Writable({
        write(chunk, _encoding, done) {
          logLines.push(JSON.parse(String(chunk)));
          done();
        },
      });
      const started = new OutboxDispatcher({
        store: client === db.prisma ? store : new PrismaOutboxRepository(client),
        rest: createOutboxRest({ token: TOKEN, apiBase: new URL(discord.apiBase) }),
        targets: {
          approvalChannelId: async () => APPROVALS,
          approvalMessageOf: async (postId) => shown.get(postId) ?? null,
        },
        clock,
        logger: pino({ level: "debug" }, log),
        settings: { backoff: { baseMs: 20, maxMs: 200 }, pollMs: 1_000 },
      });
      void started.start();
      dispatchers.push(started);
      return started;
    }

    function notice(channelId: string, content: string): OutboxDraft {
      return { guildId: GUILD, channelId, kind: "notice", payload: { content } };
    }

    /** Resolves once `event` has fired `times` times (counting from now). */
    function events<E extends keyof OutboxEvents>(
      target: OutboxDispatcher,
      event: E,
      times: number,
    ): Promise<OutboxEvents[E][0][]> {
      const seen: OutboxEvents[E][0][] = [];
      return new Promise((resolve) => {
        const listener = (payload: OutboxEvents[E][0]) => {
          seen.push(payload);
          if (seen.length === times) {
            target.off(event, listener as never);
            resolve(seen);
          }
        };
        target.on(event, listener as never);
      });
    }

    const contentsIn = (channelId: string) =>
      discord.channelMessages(channelId).map((message) => message.content);

    const creates = () =>
      discord.requests.filter((r) => r.method === "POST" && r.path.endsWith("/messages"));

    it("given REST answering 503 for a while, delivers every row once after recovery, each channel in order", async () => {
      discord.startOutage({ mode: { kind: "unavailable" } });
      const first = Array.from({ length: 5 }, (_, i) => notice(APPROVAL_CHANNEL, `approvals ${i}`));
      const second = Array.from({ length: 3 }, (_, i) => notice(OTHER, `other ${i}`));
      await store.enqueue([...first, ...second]);
      const out = startDispatcher();
      // Both channels' first rows refused three times each, the rest waiting behind them.
      await events(out, "message.retrying", 6);
      expect(discord.channelMessages(APPROVALS)).toHaveLength(0);
      const sent = events(out, "message.sent", 8);
      discord.endOutage();
      await sent;
      expect(contentsIn(APPROVALS)).toEqual([0, 1, 2, 3, 4].map((i) => `approvals ${i}`));
      expect(contentsIn(OTHER)).toEqual(["other 0", "other 1", "other 2"]);
      expect(await db.prisma.outboxMessage.count({ where: { state: "sent" } })).toBe(8);
    });

    it("given Cloudflare's 502 page for a while, retries and delivers once", async () => {
      discord.startOutage({ mode: { kind: "bad_gateway" }, requests: 3 });
      await store.enqueue([notice(OTHER, "through the 502s")]);
      await events(startDispatcher(), "message.sent", 1);
      expect(contentsIn(OTHER)).toEqual(["through the 502s"]);
    });

    it("given the answer to a create is lost, retries with the same nonce and the channel holds one message", async () => {
      discord.startOutage({ mode: { kind: "answer_lost" }, requests: 1 });
      await store.enqueue([notice(OTHER, "said once")]);
      const [sent] = await events(startDispatcher(), "message.sent", 1);
      expect(contentsIn(OTHER)).toEqual(["said once"]);
      const nonces = creates().map((r) => (r.body as { nonce?: string }).nonce);
      expect(nonces).toHaveLength(2);
      expect(nonces[0]).toBe(nonces[1]);
      expect(creates().map((r) => r.body)).toMatchObject([
        { enforce_nonce: true },
        { enforce_nonce: true },
      ]);
      const row = await db.prisma.outboxMessage.findFirstOrThrow();
      expect(row).toMatchObject({ state: "sent", sentMessageId: sent?.messageId, attempts: 2 });
      expect(discord.channelMessages(OTHER)[0]?.id).toBe(sent?.messageId);
    });

    it("given a 429 with retry_after, waits at least that long before trying again", async () => {
      discord.startOutage({ mode: { kind: "rate_limited", retryAfterMs: 1_200 }, requests: 1 });
      await store.enqueue([notice(OTHER, "after the limit")]);
      const out = startDispatcher();
      const retrying = events(out, "message.retrying", 1);
      const sent = events(out, "message.sent", 1);
      const [retry] = await retrying;
      const limitedAt = Date.now();
      expect(retry?.reason).toMatch(/rate limited/);
      await sent;
      expect(Date.now() - limitedAt).toBeGreaterThanOrEqual(1_150);
      expect(contentsIn(OTHER)).toEqual(["after the limit"]);
    });

    it("given a deleted channel, drops its rows with a log line, says the channel is unusable, and other channels go on", async () => {
      discord.deleteChannel(GONE);
      await store.enqueue([notice(GONE, "into the void"), notice(OTHER, "still here")]);
      const out = startDispatcher();
      const dropped = events(out, "message.dropped", 1);
      const sent = events(out, "message.sent", 1);
      const [drop] = await dropped;
      await sent;
      expect(drop).toMatchObject({ channelUnusable: true, channelId: GONE });
      expect(drop?.reason).toMatch(/10003/);
      expect(contentsIn(OTHER)).toEqual(["still here"]);
      expect(await db.prisma.outboxMessage.findFirst({ where: { channelId: GONE } })).toMatchObject(
        {
          state: "dropped",
        },
      );
      expect(logLines).toContainEqual(
        expect.objectContaining({ level: 40, msg: "message dropped: Discord refused it for good" }),
      );
    });

    it("given a row still failing 24 h after it was written, gives it up with an error log holding the message; a younger one is kept", async () => {
      const clock = new FixedClock(new Date("2026-06-02T12:00:00Z"));
      discord.startOutage({ mode: { kind: "unavailable" } });
      await store.enqueue([notice(OTHER, "a day old")], new Date("2026-06-01T11:59:00Z"));
      await store.enqueue([notice(APPROVALS, "23 h old")], new Date("2026-06-01T13:00:00Z"));
      const out = startDispatcher(clock);
      const dropped = events(out, "message.dropped", 1);
      const retrying = events(out, "message.retrying", 1);
      const [drop] = await dropped;
      await retrying;
      expect(drop?.message.payload.content).toBe("a day old");
      const rows = await db.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
      expect(rows.map((row) => row.state)).toEqual(["dropped", "pending"]);
      expect(logLines).toContainEqual(
        expect.objectContaining({
          level: 50,
          message: { content: "a day old" },
          msg: expect.stringMatching(/given up/),
        }),
      );
    });

    it("given stop while a row waits for a retry that comes due within the flush time, delivers it before stopping", async () => {
      discord.startOutage({ mode: { kind: "unavailable" }, requests: 2 });
      await store.enqueue([notice(OTHER, "flushed")]);
      const out = startDispatcher();
      await events(out, "message.retrying", 1);
      await out.stop(3_000);
      expect(contentsIn(OTHER)).toEqual(["flushed"]);
      expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: "sent" });
    });

    it("given stop while Discord is down, returns within the flush time and leaves the rows for the next start", async () => {
      discord.startOutage({ mode: { kind: "unavailable" } });
      await store.enqueue([notice(OTHER, "later")]);
      const out = startDispatcher();
      await events(out, "message.retrying", 2);
      const began = Date.now();
      await out.stop(300);
      expect(Date.now() - began).toBeLessThan(1_000);
      expect(await db.prisma.outboxMessage.findFirstOrThrow()).toMatchObject({ state: "pending" });
    });

    it("given a message with a PNG and its answer lost, retries as multipart with the same nonce and the channel holds one message with the file", async () => {
      const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
      discord.startOutage({ mode: { kind: "answer_lost" }, requests: 1 });
      await store.enqueue([
        {
          guildId: GUILD,
          channelId: OTHER,
          kind: "report.daily",
          payload: {
            embeds: [{ title: "Report", image: { url: "attachment://report.png" } }],
            files: [
              { name: "report.png", contentType: "image/png", base64: png.toString("base64") },
            ],
          },
        },
      ]);
      await events(startDispatcher(), "message.sent", 1);
      const [message, ...more] = discord.channelMessages(OTHER);
      expect(more).toEqual([]);
      expect(message?.attachments.map((file) => file.filename)).toEqual(["report.png"]);
      expect(discord.attachmentBytes(message?.attachments[0]?.url ?? "")).toEqual(png);
      const bodies = creates().map((r) => r.body as { payload_json?: Record<string, unknown> });
      expect(bodies).toHaveLength(2);
      for (const body of bodies) {
        expect(body.payload_json).toMatchObject({
          enforce_nonce: true,
          attachments: [{ id: 0, filename: "report.png" }],
        });
        expect(body.payload_json).not.toHaveProperty("files");
      }
      expect(bodies[0]?.payload_json?.nonce).toBe(bodies[1]?.payload_json?.nonce);
    });

    it("given a post already shown in the approval channel, its approval.create edits that message (or shows it anew once someone deleted it); an update of a post never shown is skipped quietly", async () => {
      const approval = (
        kind: "approval.create" | "approval.update",
        postId: number,
        title: string,
      ) =>
        ({
          guildId: GUILD,
          channelId: APPROVAL_CHANNEL,
          kind,
          targetPostId: postId,
          payload: { embeds: [{ title }] },
        }) satisfies OutboxDraft;
      await store.enqueue([approval("approval.create", 1, "first look")]);
      const out = startDispatcher();
      const [first] = await events(out, "message.sent", 1);
      if (first === undefined) throw new Error("not sent");
      expect(first.channelId).toBe(APPROVALS);
      shown.set(1, { channelId: first.channelId, messageId: first.messageId });

      const sent = events(out, "message.sent", 1);
      const dropped = events(out, "message.dropped", 1);
      await store.enqueue([
        approval("approval.create", 1, "shown again"),
        approval("approval.update", 2, "never shown"),
      ]);
      out.wake();
      const [again] = await sent;
      const [skipped] = await dropped;
      expect(again?.messageId).toBe(first.messageId);
      expect(discord.channelMessages(APPROVALS).map((m) => m.embeds)).toEqual([
        [expect.objectContaining({ title: "shown again" })],
      ]);
      expect(skipped).toMatchObject({ channelUnusable: false });
      expect(skipped?.reason).toMatch(/post #2 has no approval message/);
      expect(creates()).toHaveLength(1);
      expect(logLines.filter((line) => line.level >= 40)).toEqual([]);

      // Someone deleted the message in Discord: the post is shown anew, once.
      const deleted = await fetch(
        `${discord.apiBase}/v10/channels/${APPROVALS}/messages/${first.messageId}`,
        { method: "DELETE", headers: { authorization: `Bot ${TOKEN}` } },
      );
      expect(deleted.status).toBe(204);
      const resent = events(out, "message.sent", 1);
      await store.enqueue([approval("approval.create", 1, "shown anew")]);
      out.wake();
      const [anew] = await resent;
      expect(anew?.messageId).not.toBe(first.messageId);
      expect(discord.channelMessages(APPROVALS).map((m) => m.embeds)).toEqual([
        [expect.objectContaining({ title: "shown anew" })],
      ]);
    });

    it("given two instances' dispatchers on one database, every row is sent once and each channel stays in order", async () => {
      const channels = [APPROVAL_CHANNEL, OTHER];
      await store.enqueue(
        Array.from({ length: 30 }, (_, i) => notice(channels[i % 2] ?? OTHER, `row ${i}`)),
      );
      const a = startDispatcher();
      const b = startDispatcher(systemClock, db.connect());
      let sent = 0;
      await new Promise<void>((resolve) => {
        const count = () => {
          sent += 1;
          if (sent === 30) resolve();
        };
        a.on("message.sent", count);
        b.on("message.sent", count);
      });
      const expected = (channel: number) =>
        Array.from({ length: 15 }, (_, i) => `row ${2 * i + channel}`);
      expect(contentsIn(APPROVALS)).toEqual(expected(0));
      expect(contentsIn(OTHER)).toEqual(expected(1));
      expect(creates()).toHaveLength(30);
    });
  },
);
