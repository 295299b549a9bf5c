import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutboxDispatcher } from "../../src/bot/outbox-dispatcher.ts";
import { CHART_WIDTH } from "../../src/bot/render/report-chart.ts";
import { discordActor } from "../../src/domain/audit.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  approvalMessageOf,
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  embedField,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { ApiMessage } from "../support/fake-discord/server.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { inspectPng } from "../support/png-check.ts";

// Discord's REST down while Herald works: every message waits in the outbox and arrives once.
// The outage and the outbox's backoff run on a test clock, so a minute of outage takes no real
// minute. Interactions keep working (Discord answers them on other routes); channel messages
// are refused with 503.

/** One look at the outbox after the clock moved: wake it and wait until it is idle again. */
async function pass(outbox: OutboxDispatcher): Promise<void> {
  const idle = once(outbox, "idle");
  outbox.wake();
  await idle;
}

describe("the outbox through a Discord outage", () => {
  let e2e: E2E;
  const clock = new FixedClock(new Date());
  beforeEach(async () => {
    clock.set(new Date());
    e2e = await startE2E({ clock });
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
  }, 30_000);
  afterEach(() => finishE2E(e2e));

  const channelDown = () =>
    e2e.discord.startOutage({
      mode: { kind: "unavailable" },
      matches: (_method, path) => path.startsWith("/channels/"),
    });

  /** The outage lasts `ms` on the test clock, the outbox trying on its backoff meanwhile. */
  async function outageFor(ms: number): Promise<void> {
    for (let elapsed = 0; elapsed < ms; elapsed += 5_000) {
      clock.advance(5_000);
      await pass(e2e.herald.outbox);
    }
  }

  /**
   * After the outage, until `done` (the backoff, at most 5 min, brings the next attempt).
   * discord.js keeps Discord's global limit (50 requests a second) itself, on the real clock:
   * the outbox's client refuses a request over it before sending, and the outbox retries the row
   * when that second is over. The test clock does not move discord.js's, so the rest of such a
   * second (at most 1 s and the outbox's jitter) is waited out for real.
   */
  async function recoverUntil(done: () => boolean): Promise<void> {
    let pacedMs = 0;
    const onRetry = ({ reason, nextAttemptAt }: { reason: string; nextAttemptAt: Date }) => {
      if (!reason.startsWith("rate limited")) return;
      pacedMs = Math.max(pacedMs, nextAttemptAt.getTime() - clock.now().getTime());
    };
    e2e.herald.outbox.on("message.retrying", onRetry);
    try {
      for (let step = 0; !done() && step < 80; step++) {
        if (pacedMs > 0) await sleep(pacedMs);
        pacedMs = 0;
        clock.advance(5_000);
        await pass(e2e.herald.outbox);
      }
    } finally {
      e2e.herald.outbox.off("message.retrying", onRetry);
    }
  }

  const approvalMessages = () =>
    e2e.discord
      .channelMessages(TEAM.channels.approvals)
      .filter((message) => message.embeds.length > 0);
  const postIdOf = (message: ApiMessage) =>
    Number(/^post:approve:(\d+)$/.exec(buttonsOf(message)[0]?.id ?? "")?.[1]);

  it("given Discord REST down for 60 s while 20 approved posts publish, afterwards exactly 20 'published' notices arrive, none twice, and all 20 approval messages show the post published", async () => {
    const { herald, discord } = e2e;
    // Queued and approved for a minute from now, while Discord takes messages.
    const at = new Date(clock.now().getTime() + 60_000).toISOString();
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      const post = await herald.posts.queue(
        { guildId: TEAM.guildId, campaign: "Desk Lamps", text: `Lamp deal number ${i}`, at },
        discordActor(TEAM.manager),
      );
      await herald.posts.approve(post.id, discordActor(TEAM.approver));
      ids.push(post.id);
    }
    await pass(herald.outbox);
    const beforeOutage = await herald.prisma.outboxMessage.findMany();
    expect(beforeOutage.map((row) => row.state)).toEqual(Array(40).fill("sent"));
    const shown = approvalMessages();
    expect(shown.map(postIdOf)).toEqual(ids);
    expect(shown.map((message) => embedField(message, "Status"))).toEqual(
      Array(20).fill("Approved"),
    );

    channelDown();
    // Every attempt the outbox makes from here on, in order: sent, or to be retried and why.
    const attempts: { id: number; retryReason: string | null }[] = [];
    herald.outbox.on("message.sent", ({ message }) =>
      attempts.push({ id: message.id, retryReason: null }),
    );
    herald.outbox.on("message.retrying", ({ message, reason }) =>
      attempts.push({ id: message.id, retryReason: reason }),
    );
    let published = 0;
    const allPublished = new Promise<void>((resolve) =>
      herald.runner.on("post.published", () => {
        published += 1;
        if (published === 20) resolve();
      }),
    );
    clock.advance(60_000);
    herald.runner.wake();
    await allPublished;
    expect(e2e.fakeX.posts).toHaveLength(20);

    // 60 s of outage in steps of 5 s: the head of the channel is retried on its backoff.
    await outageFor(60_000);
    const notices = () =>
      discord
        .channelMessages(TEAM.channels.approvals)
        .filter((message) => message.content.startsWith("Published post #"));
    expect(notices()).toHaveLength(0);
    expect(discord.outageHits.unavailable).toBeGreaterThanOrEqual(5);
    discord.endOutage();

    const updated = () =>
      approvalMessages().filter((message) => embedField(message, "Status") === "Published");
    await recoverUntil(() => notices().length === 20 && updated().length === 20);
    const contents = notices().map((message) => message.content);
    expect(contents).toHaveLength(20);
    expect(new Set(contents).size).toBe(20);
    // In the order the posts were published (one channel: one queue).
    const noticedIds = contents.map((content) => Number(/#(\d+)/.exec(content)?.[1]));
    expect([...noticedIds].sort((a, b) => a - b)).toEqual(ids);
    // The same 20 approval messages, edited in place: none sent again, each now published.
    expect(approvalMessages().map((message) => message.id)).toEqual(shown.map((m) => m.id));
    expect(updated().map(postIdOf)).toEqual(ids);
    for (const message of updated()) {
      expect(buttonsOf(message).every((button) => button.disabled)).toBe(true);
    }
    const rows = await herald.prisma.outboxMessage.findMany({
      where: { id: { gt: Math.max(...beforeOutage.map((row) => row.id)) } },
      orderBy: { id: "asc" },
    });
    expect(rows.map((row) => [row.kind, row.state])).toEqual(
      ids.flatMap(() => [
        ["post.published", "sent"],
        ["approval.update", "sent"],
      ]),
    );
    // One channel, one queue: each row sent once, in the order written, and a row was tried only
    // as the channel's head, once every row written before it had been sent.
    const rowIds = rows.map((row) => row.id);
    expect(attempts.filter((attempt) => attempt.retryReason === null).map((a) => a.id)).toEqual(
      rowIds,
    );
    for (const [index, attempt] of attempts.entries()) {
      const sentBefore = attempts.slice(0, index).filter((earlier) => earlier.retryReason === null);
      expect(sentBefore.map((earlier) => earlier.id)).toEqual(
        rowIds.filter((id) => id < attempt.id),
      );
    }
    // Discord's 503s reached only the channel's first row: the rest waited behind it. Every other
    // retry is discord.js refusing, before sending, a request over the global limit of 50 a
    // second (40 rows went out before the outage), of the channel's head then, as checked above.
    const retried = attempts.filter((attempt) => attempt.retryReason !== null);
    const refusedBy503 = retried.filter((attempt) =>
      attempt.retryReason?.startsWith("Discord 503"),
    );
    expect(new Set(refusedBy503.map((attempt) => attempt.id))).toEqual(new Set([rowIds[0]]));
    for (const attempt of retried.filter((a) => !refusedBy503.includes(a))) {
      expect(attempt.retryReason).toMatch(/^rate limited \(global\) on /);
    }
  });

  it("given a post queued while Discord REST answers 503, says the approval message waits, and once Discord is back the post is shown exactly once", async () => {
    channelDown();
    const { reply, postId } = await queuePost(e2e, {
      text: "A lamp queued in the dark",
      at: "next",
    });
    expect(reply).toContain(`Queued post #${postId}`);
    expect(reply).toContain("Discord is not taking Herald's messages right now");
    await outageFor(30_000);
    expect(approvalMessages()).toHaveLength(0);
    e2e.discord.endOutage();

    await recoverUntil(() => approvalMessages().length > 0);
    await pass(e2e.herald.outbox);
    const shown = approvalMessages();
    expect(shown.map(postIdOf)).toEqual([postId]);
    expect(embedField(shown[0] as ApiMessage, "Status")).toBe("Waiting for approval");
    // Recorded as the post's approval message, so its buttons update it in place.
    expect((await e2e.herald.posts.get(postId as number)).approvalMessage).toEqual({
      channelId: TEAM.channels.approvals,
      messageId: shown[0]?.id,
    });
  });

  it("given the daily report sent during an outage, it arrives once Discord is back, once, with its PNG chart", async () => {
    channelDown();
    expect(await e2e.herald.dailyReport.run(clock.now())).toBe("queued");
    await outageFor(30_000);
    const reports = () => e2e.discord.channelMessages(TEAM.channels.reports);
    expect(reports()).toHaveLength(0);
    e2e.discord.endOutage();
    // The first try after the outage is carried out but its answer lost: the retry's nonce
    // makes Discord answer with that message instead of posting a second.
    e2e.discord.startOutage({ mode: { kind: "answer_lost" }, requests: 1 });

    await recoverUntil(() => reports().length > 0 && e2e.discord.outageHits.answer_lost === 1);
    await recoverUntil(() => false);
    const [report, ...more] = reports();
    if (report === undefined) throw new Error("no report arrived");
    expect(more).toEqual([]);
    expect(e2e.discord.outageHits.answer_lost).toBe(1);
    // Every try, refused or lost, was the same multipart create with the same nonce.
    const tries = e2e.discord.requests.filter(
      (request) =>
        request.method === "POST" &&
        request.path.endsWith(`/channels/${TEAM.channels.reports}/messages`),
    );
    expect(tries.length).toBeGreaterThanOrEqual(3);
    const nonces = tries.map(
      (request) => (request.body as { payload_json?: { nonce?: string } }).payload_json?.nonce,
    );
    expect(new Set(nonces).size).toBe(1);
    expect(nonces[0]).toEqual(expect.any(String));
    expect((report.embeds[0] as { title?: string }).title).toBe("Report for the last 24 h");
    expect(report.attachments.map((file) => file.filename)).toEqual(["report.png"]);
    const bytes = e2e.discord.attachmentBytes(report.attachments[0]?.url ?? "");
    if (bytes === undefined) throw new Error("the fake Discord holds no bytes for the chart");
    const png = inspectPng(bytes);
    expect(png.width).toBe(CHART_WIDTH);
    expect(png.drawnShare).toBeGreaterThan(0.02);
    expect(
      await e2e.herald.prisma.outboxMessage.findFirstOrThrow({ where: { kind: "report.daily" } }),
    ).toMatchObject({ state: "sent", sentMessageId: report.id });
    expect(await e2e.herald.dailyReport.run(clock.now())).toBe("already_sent");
  });

  it("given a rejection during an outage, the reason reaches the approval channel once Discord is back, once", async () => {
    const { postId } = await queuePost(e2e, { text: "A lamp without a shade", at: "next" });
    const message = await approvalMessageOf(e2e, postId as number);
    channelDown();
    const pressed = await e2e.discord.pressButton({
      user: TEAM.approver,
      message,
      customId: `post:reject:${postId}`,
    });
    const submitted = await e2e.discord.submitModal({
      user: TEAM.approver,
      customId: pressed.modal?.customId ?? "",
      fields: { reason: "Say which shade fits" },
    });
    expect((await submitted.reply()).content).toBe(`Rejected post #${postId}.`);
    await outageFor(30_000);
    const reasons = () =>
      e2e.discord
        .channelMessages(TEAM.channels.approvals)
        .filter((m) => m.content.includes(`Post #${postId} (Desk Lamps) was rejected`));
    expect(reasons()).toHaveLength(0);
    e2e.discord.endOutage();

    await recoverUntil(() => reasons().length > 0);
    await recoverUntil(() => false);
    expect(reasons().map((m) => m.content)).toEqual([
      `<@${TEAM.manager}> Post #${postId} (Desk Lamps) was rejected by <@${TEAM.approver}>: Say which shade fits\nEdit it (Edit button or /post edit) and it waits for approval again.`,
    ]);
    const [decided, ...others] = approvalMessages();
    expect(others).toEqual([]);
    expect(decided?.id).toBe(message.id);
    expect(embedField(decided as ApiMessage, "Status")).toBe("Rejected");
  });
});
