import { once } from "node:events";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutboxDispatcher } from "../../src/bot/outbox-dispatcher.ts";
import { discordActor } from "../../src/domain/audit.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import { connectTeamAccount, createCampaign, finishE2E, setUpTeam } from "../support/e2e-steps.ts";
import { FixedClock } from "../support/fixed-clock.ts";

// Discord's REST down while posts publish: the notices wait in the outbox and arrive once each.
// The outage and the outbox's backoff run on a test clock, so 60 s of outage take no real minute.

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

  it("given Discord REST down for 60 s while 20 approved posts publish, afterwards exactly 20 'published' notices arrive, none twice", async () => {
    const { herald, discord } = e2e;
    discord.startOutage({
      mode: { kind: "unavailable" },
      matches: (_method, path) => path.startsWith("/channels/"),
    });
    const retries: number[] = [];
    herald.outbox.on("message.retrying", ({ message }) => retries.push(message.id));
    let published = 0;
    const allPublished = new Promise<void>((resolve) =>
      herald.runner.on("post.published", () => {
        published += 1;
        if (published === 20) resolve();
      }),
    );
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      const post = await herald.posts.queue(
        { guildId: TEAM.guildId, campaign: "Desk Lamps", text: `Lamp deal number ${i}`, at: "now" },
        discordActor(TEAM.manager),
      );
      await herald.posts.approve(post.id, discordActor(TEAM.approver));
      ids.push(post.id);
    }
    await allPublished;
    expect(e2e.fakeX.posts).toHaveLength(20);

    // 60 s of outage in steps of 5 s: the head of the channel is retried on its backoff.
    for (let elapsed = 0; elapsed < 60_000; elapsed += 5_000) {
      clock.advance(5_000);
      await pass(herald.outbox);
    }
    expect(discord.channelMessages(TEAM.channels.approvals)).toHaveLength(0);
    const refusedDuringOutage = discord.outageHits.unavailable;
    expect(refusedDuringOutage).toBeGreaterThanOrEqual(5);
    discord.endOutage();

    const notices = () =>
      discord
        .channelMessages(TEAM.channels.approvals)
        .filter((message) => message.content.startsWith("Published post #"));
    // After the outage the backoff (at most 5 min) lets the next attempt come; then all go.
    for (let step = 0; notices().length < 20 && step < 80; step++) {
      clock.advance(5_000);
      await pass(herald.outbox);
    }
    const contents = notices().map((message) => message.content);
    expect(contents).toHaveLength(20);
    expect(new Set(contents).size).toBe(20);
    // In the order the posts were published (one channel: one queue).
    const noticedIds = contents.map((content) => Number(/#(\d+)/.exec(content)?.[1]));
    expect([...noticedIds].sort((a, b) => a - b)).toEqual(ids);
    const rows = await herald.prisma.outboxMessage.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((row) => row.state)).toEqual(Array(20).fill("sent"));
    // Only the channel's first row was retried during the outage; the rest waited behind it.
    expect(new Set(retries).size).toBe(1);
  });
});
