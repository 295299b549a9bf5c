import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createPrismaClient } from "../../src/db/client.ts";
import { DEFAULT_X_PRICES } from "../../src/domain/x-prices.ts";
import { createPublishRunner } from "../../src/scheduler/create-runner.ts";
import { type E2E, E2E_SECRET_KEY, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  approvalMessageOf,
  approvePost,
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  embedField,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import { FixedClock } from "../support/fixed-clock.ts";

let e2e: E2E;
afterEach(() => finishE2E(e2e));

async function campaign(subcommand: "pause" | "resume"): Promise<string> {
  const handle = await e2e.discord.runCommand({
    user: TEAM.manager,
    name: "campaign",
    subcommand,
    options: { campaign: "Desk Lamps" },
  });
  return (await handle.reply()).content;
}

describe("posts held past the grace window, end to end", () => {
  it("given a paused campaign whose approved posts' times pass, resuming it an hour later announces them once as missed, and one press reschedules them all to free slots, still approved", async () => {
    // Monday 2026-12-07, 08:00 in Berlin.
    const clock = new FixedClock(new Date("2026-12-07T07:00:00Z"));
    e2e = await startE2E({ clock });
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
    expect(await campaign("pause")).toContain("is now paused");
    const ids: number[] = [];
    for (const at of ["08:05", "08:10", "08:15"]) {
      const { postId, reply } = await queuePost(e2e, {
        text: `Desk lamp at ${at}`,
        at: `2026-12-07 ${at}`,
      });
      if (postId === null) throw new Error(reply);
      await approvePost(e2e, postId);
      ids.push(postId);
    }

    // An hour later (grace: 15 minutes) the campaign resumes.
    clock.set("2026-12-07T08:30:00Z");
    expect(await campaign("resume")).toContain("is now active");

    const summary = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (message) =>
      message.content.includes("missed their time"),
    );
    expect(summary.content).toContain("3 posts of Desk Lamps missed their time");
    for (const id of ids) expect(summary.content).toContain(`#${id} Desk lamp`);
    const campaignId = (await e2e.herald.posts.get(ids[0] ?? 0)).campaignId;
    expect(buttonsOf(summary)).toEqual([
      { id: `campaign:reschedule:${campaignId}`, disabled: false },
    ]);
    for (const id of ids) expect((await e2e.herald.posts.get(id)).status).toBe("missed");
    // One message for the three, not one each.
    expect(
      e2e.discord
        .channelMessages(TEAM.channels.approvals)
        .filter((m) => m.content.includes("missed")),
    ).toHaveLength(1);
    expect(e2e.fakeX.posts).toHaveLength(0);

    const refused = await e2e.discord.pressButton({
      user: TEAM.member,
      message: summary,
      customId: `campaign:reschedule:${campaignId}`,
    });
    expect((await refused.reply()).content).toContain("approver role");
    expect((await e2e.herald.posts.get(ids[0] ?? 0)).status).toBe("missed");

    const press = await e2e.discord.pressButton({
      user: TEAM.approver,
      message: summary,
      customId: `campaign:reschedule:${campaignId}`,
    });
    const reply = (await press.reply()).content;
    expect(reply).toContain("Rescheduled 3 missed posts of **Desk Lamps**, still approved");
    // The next free slots after 09:30 Berlin: 15:00 and 21:00 today, 09:00 tomorrow.
    const times = await Promise.all(
      ids.map(async (id) => (await e2e.herald.posts.get(id)).scheduledAt.toISOString()),
    );
    expect(times).toEqual([
      "2026-12-07T14:00:00.000Z",
      "2026-12-07T20:00:00.000Z",
      "2026-12-08T08:00:00.000Z",
    ]);
    for (const id of ids) {
      expect((await e2e.herald.posts.get(id)).status).toBe("approved");
      expect(
        buttonsOf(await approvalMessageOf(e2e, id)).find((b) => b.id.startsWith("post:approve"))
          ?.disabled,
      ).toBe(true);
    }

    const again = await e2e.discord.pressButton({
      user: TEAM.approver,
      message: summary,
      customId: `campaign:reschedule:${campaignId}`,
    });
    expect((await again.reply()).content).toContain("No post of Desk Lamps is missed any more");
  });

  it("given 2 hours of downtime with 10 overdue posts in two campaigns, the restarted service announces them in one message per campaign", async () => {
    const clock = new FixedClock(new Date("2026-12-07T07:00:00Z"));
    e2e = await startE2E({ clock });
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
    await createCampaign(e2e, { name: "Desk Chairs" });
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { postId, reply } = await queuePost(e2e, {
        campaign: i % 2 === 0 ? "Desk Lamps" : "Desk Chairs",
        text: `Desk offer number ${i}`,
        at: `2026-12-07 08:${String(10 + i).padStart(2, "0")}`,
      });
      if (postId === null) throw new Error(reply);
      await approvePost(e2e, postId);
      ids.push(postId);
    }
    await e2e.herald.stop();
    clock.set("2026-12-07T09:30:00Z");
    await e2e.restart();

    for (const name of ["Desk Lamps", "Desk Chairs"]) {
      const summary = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (m) =>
        m.content.startsWith(`5 posts of ${name} missed their time`),
      );
      expect(buttonsOf(summary)).toHaveLength(1);
    }
    const summaries = e2e.discord
      .channelMessages(TEAM.channels.approvals)
      .filter((m) => m.content.includes("missed their time"));
    expect(summaries).toHaveLength(2);
    for (const id of ids) expect((await e2e.herald.posts.get(id)).status).toBe("missed");
    expect(e2e.fakeX.posts).toHaveLength(0);
  });

  it("given a campaign paused with overdue posts and Herald restarted while paused, resuming it an hour later sends what is within the grace window and announces the rest once as missed, as without a restart", async () => {
    // Monday 2026-12-07, 08:00 in Berlin.
    const clock = new FixedClock(new Date("2026-12-07T07:00:00Z"));
    e2e = await startE2E({ clock });
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
    expect(await campaign("pause")).toContain("is now paused");
    const queued = async (at: string) => {
      const { postId, reply } = await queuePost(e2e, {
        text: `Desk lamp at ${at}`,
        at: `2026-12-07 ${at}`,
      });
      if (postId === null) throw new Error(reply);
      await approvePost(e2e, postId);
      return postId;
    };
    const late = [await queued("08:05"), await queued("08:10"), await queued("08:15")];
    const onTime = await queued("09:20");

    // Down and up again while paused, past the first three posts' time: nothing is missed yet.
    clock.set("2026-12-07T07:50:00Z");
    await e2e.restart();
    await runnerIdle();
    for (const id of [...late, onTime]) {
      expect((await e2e.herald.posts.get(id)).status).toBe("approved");
    }

    // 09:30 in Berlin (grace: 15 minutes): the 09:20 post still goes out, the rest are missed.
    clock.set("2026-12-07T08:30:00Z");
    const published = new Promise<number>((resolve) =>
      e2e.herald.runner.once("post.published", ({ post }) => resolve(post.id)),
    );
    expect(await campaign("resume")).toContain("is now active");
    expect(await published).toBe(onTime);
    const summary = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (message) =>
      message.content.includes("missed their time"),
    );
    expect(summary.content).toContain("3 posts of Desk Lamps missed their time");
    for (const id of late) expect(summary.content).toContain(`#${id} Desk lamp`);
    expect(summary.content).not.toContain(`#${onTime} `);
    await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (message) =>
      message.content.startsWith(`Published post #${onTime} `),
    );
    // Each missed post's approval message says so, updated through the outbox.
    for (const id of late) {
      await e2e.discord.waitForChannelMessage(
        TEAM.channels.approvals,
        (message) =>
          buttonsOf(message).some((b) => b.id === `post:approve:${id}`) &&
          embedField(message, "Status") === "Missed",
      );
    }
    expect(
      e2e.discord
        .channelMessages(TEAM.channels.approvals)
        .filter((m) => m.content.includes("missed their time")),
    ).toHaveLength(1);
    expect(e2e.fakeX.posts.map((post) => post.text)).toEqual(["Desk lamp at 09:20"]);
  });

  it("given overdue posts marked missed while no bot was connected (a runner alone after 2 hours of downtime), the next start delivers one summary per campaign", async () => {
    const clock = new FixedClock(new Date("2026-12-07T07:00:00Z"));
    e2e = await startE2E({ clock });
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
    await createCampaign(e2e, { name: "Desk Chairs" });
    const ids: number[] = [];
    for (let i = 0; i < 10; i++) {
      const { postId, reply } = await queuePost(e2e, {
        campaign: i % 2 === 0 ? "Desk Lamps" : "Desk Chairs",
        text: `Desk offer number ${i}`,
        at: `2026-12-07 08:${String(10 + i).padStart(2, "0")}`,
      });
      if (postId === null) throw new Error(reply);
      await approvePost(e2e, postId);
      ids.push(postId);
    }
    await e2e.herald.stop();
    clock.set("2026-12-07T09:30:00Z");

    await runAloneOnce(clock);
    for (const id of ids) expect(await statusInDatabase(id)).toBe("missed");
    const summaries = () =>
      e2e.discord
        .channelMessages(TEAM.channels.approvals)
        .filter((m) => m.content.includes("missed their time"));
    expect(summaries()).toHaveLength(0);

    await e2e.restart();
    for (const name of ["Desk Lamps", "Desk Chairs"]) {
      const summary = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (m) =>
        m.content.startsWith(`5 posts of ${name} missed their time`),
      );
      expect(buttonsOf(summary)).toHaveLength(1);
    }
    expect(summaries()).toHaveLength(2);
    expect(e2e.fakeX.posts).toHaveLength(0);
  });
});

/** Wakes the running service's runner and resolves once it has nothing left to do. */
function runnerIdle(): Promise<unknown> {
  const idle = new Promise((resolve) => e2e.herald.runner.once("idle", resolve));
  e2e.herald.runner.wake();
  return idle;
}

/** A post's status read straight from the database file (the service is stopped). */
async function statusInDatabase(id: number): Promise<string | undefined> {
  const prisma = createPrismaClient(`file:${e2e.databaseFile}`);
  try {
    return (await prisma.post.findUnique({ where: { id } }))?.status;
  } finally {
    await prisma.$disconnect();
  }
}

/**
 * The publishing runner alone on the service's database, as createPublishRunner wires it, with
 * no Discord client anywhere: one pass, until it is idle.
 */
async function runAloneOnce(clock: FixedClock): Promise<void> {
  const prisma = createPrismaClient(`file:${e2e.databaseFile}`);
  const runner = createPublishRunner({
    prisma,
    config: {
      x: { apiBase: new URL(e2e.fakeX.url), defaultAccount: null, prices: DEFAULT_X_PRICES },
      publishing: { budget: { per24Hours: 100, per15Minutes: 100 }, lateGraceMs: 15 * 60_000 },
      secretKey: E2E_SECRET_KEY,
    },
    clock,
    logger: pino({ level: "silent" }),
    xHttpAgent: e2e.fakeX.agent,
    guildId: TEAM.guildId,
  });
  try {
    const idle = new Promise((resolve) => runner.once("idle", resolve));
    await runner.start();
    await idle;
  } finally {
    await runner.stop();
    await prisma.$disconnect();
  }
}
