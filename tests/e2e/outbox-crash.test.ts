import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discordActor } from "../../src/domain/audit.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import { connectTeamAccount, createCampaign, finishE2E, setUpTeam } from "../support/e2e-steps.ts";
import type { RestOutageMode } from "../support/fake-discord/server.ts";
import { spawnTsx, type TsxChild } from "../support/tsx-child.ts";

// Herald killed with SIGKILL between recording a publish and delivering its notice: the notice
// was written with the publish, so the next start delivers it, and its nonce keeps it to one
// message even when the killed process's send had reached Discord.

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

const isNotice = (body: unknown) =>
  String((body as { content?: unknown } | undefined)?.content).startsWith("Published post #");

describe("the outbox across a kill -9", () => {
  let e2e: E2E;
  let child: TsxChild | undefined;
  beforeEach(async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
  }, 30_000);
  afterEach(async () => {
    child?.child.kill("SIGKILL");
    await finishE2E(e2e);
  });

  /** Herald's own entry point in a process of its own, on the same database and fakes. */
  function startHeraldProcess(): TsxChild {
    return spawnTsx(MAIN, {
      env: {
        DISCORD_TOKEN: TEAM.token,
        DISCORD_APPLICATION_ID: TEAM.applicationId,
        DISCORD_GUILD_ID: TEAM.guildId,
        DISCORD_API_BASE: e2e.discord.apiBase,
        X_API_BASE: e2e.fakeX.url,
        NODE_EXTRA_CA_CERTS: e2e.fakeX.caFile,
        DATABASE_URL: `file:${e2e.databaseFile}`,
        HERALD_SECRET_KEY: Buffer.alloc(32, 5).toString("base64"),
        LOG_LEVEL: "warn",
      },
    });
  }

  it.each<[string, RestOutageMode]>([
    ["before its notice reached Discord", { kind: "unavailable" }],
    ["after Discord took its notice but before the answer came back", { kind: "answer_lost" }],
  ])(
    "given Herald killed right after a publish is recorded, %s: after restart the notice arrives, once",
    async (_situation, mode) => {
      // An approved post due now, left for the other process to publish.
      await e2e.herald.runner.stop();
      const post = await e2e.herald.posts.queue(
        { guildId: TEAM.guildId, campaign: "Desk Lamps", text: "A lamp that survives", at: "now" },
        discordActor(TEAM.manager),
      );
      await e2e.herald.posts.approve(post.id, discordActor(TEAM.approver));
      await e2e.herald.stop();

      const noticeSent = new Promise<void>((resolve) =>
        e2e.discord.startOutage({
          mode,
          requests: 1,
          // The notice only: the approval message the runner's event refreshes races it.
          matches: (method, path, body) =>
            method === "POST" &&
            path === `/channels/${TEAM.channels.approvals}/messages` &&
            isNotice(body),
          onHit: () => resolve(),
        }),
      );
      child = startHeraldProcess();
      await noticeSent;
      child.child.kill("SIGKILL");
      expect(await child.exited).toBeNull();
      expect(e2e.fakeX.posts).toHaveLength(1);

      await e2e.restart();
      const notice = await e2e.discord.waitForChannelMessage(
        TEAM.channels.approvals,
        (message) => message.content.startsWith(`Published post #${post.id} `),
        10_000,
      );
      // Whatever is due has been sent once the outbox is idle.
      const idle = once(e2e.herald.outbox, "idle");
      e2e.herald.outbox.wake();
      await idle;
      const notices = e2e.discord
        .channelMessages(TEAM.channels.approvals)
        .filter((message) => message.content.startsWith("Published post #"));
      expect(notices.map((message) => message.id)).toEqual([notice.id]);
      const rows = await e2e.herald.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
      expect(rows.filter((row) => row.kind === "post.published")).toMatchObject([
        { state: "sent", sentMessageId: notice.id },
      ]);
      // The approval message's create and updates (approve, publish) went too. (A start after
      // the report time also writes the day's report.)
      expect(
        rows.filter((row) => row.kind !== "report.daily").map((row) => [row.kind, row.state]),
      ).toEqual([
        ["approval.create", "sent"],
        ["approval.update", "sent"],
        ["post.published", "sent"],
        ["approval.update", "sent"],
      ]);
      expect(e2e.fakeX.posts).toHaveLength(1);
      // The killed process's try and the restarted one's carried the same nonce.
      const tries = e2e.discord.requests.filter(
        (request) =>
          request.method === "POST" &&
          request.path.endsWith(`/channels/${TEAM.channels.approvals}/messages`) &&
          isNotice(request.body),
      );
      expect(tries).toHaveLength(2);
      expect(new Set(tries.map((request) => (request.body as { nonce?: string }).nonce)).size).toBe(
        1,
      );
    },
    60_000,
  );
});
