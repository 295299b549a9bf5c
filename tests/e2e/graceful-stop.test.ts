import { afterEach, describe, expect, it } from "vitest";
import { discordActor } from "../../src/domain/audit.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import { connectTeamAccount, createCampaign, finishE2E, setUpTeam } from "../support/e2e-steps.ts";

// The composition root's stop (SIGTERM) while publishes wait on X: it stops taking work, lets the
// publishes under way finish, flushes the outbox for up to 5 s, then closes Discord and the
// database (issue 10, "start and stop order").

const POSTS = 10;
/** X takes each post at once and answers this late, so all ten are in flight at the stop. */
const X_ANSWER_MS = 2_000;

let e2e: E2E;
afterEach(() => finishE2E(e2e));

describe("a graceful stop during publishes", () => {
  it("given a stop while 10 publishes wait on a slow X, every one is recorded and announced once (by the stop or after the next start), and X gets each once", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
    e2e.fakeX.fail("POST /2/tweets", { kind: "slow", ms: X_ANSWER_MS }, POSTS);
    const ids: number[] = [];
    for (let i = 0; i < POSTS; i++) {
      const post = await e2e.herald.posts.queue(
        { guildId: TEAM.guildId, campaign: "Desk Lamps", text: `Lamp offer ${i}`, at: "now" },
        discordActor(TEAM.manager),
      );
      await e2e.herald.posts.approve(post.id, discordActor(TEAM.approver));
      ids.push(post.id);
    }
    await expect.poll(() => e2e.fakeX.requestCount("POST /2/tweets")).toBe(POSTS);
    // Still waiting on X: nothing recorded yet.
    expect(await e2e.herald.prisma.post.count({ where: { status: "published" } })).toBe(0);

    await e2e.herald.stop();
    const notices = () =>
      e2e.discord
        .channelMessages(TEAM.channels.approvals)
        .filter((message) => message.content.startsWith("Published post #"));
    const announcedByTheStop = notices().length;

    await e2e.restart();
    await expect.poll(() => notices().length, { timeout: 10_000 }).toBe(POSTS);
    const noticed = notices().map((message) => Number(/#(\d+)/.exec(message.content)?.[1]));
    expect([...noticed].sort((a, b) => a - b)).toEqual(ids);
    const rows = await e2e.herald.prisma.post.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((row) => row.status)).toEqual(Array(POSTS).fill("published"));
    expect(new Set(rows.map((row) => row.xPostId)).size).toBe(POSTS);
    expect(e2e.fakeX.posts).toHaveLength(POSTS);
    expect(e2e.fakeX.requestCount("POST /2/tweets")).toBe(POSTS);
    // The stop's own flush delivered them: the restart had nothing left to announce.
    expect(announcedByTheStop).toBe(POSTS);
  }, 60_000);
});
