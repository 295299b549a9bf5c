import { DateTime } from "luxon";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM, TEAM_X } from "../support/e2e-harness.ts";
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

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E();
});
afterEach(() => finishE2E(e2e));

async function queue(at: string, text: string): Promise<{ postId: number; message: ApiMessage }> {
  const { handle, reply, postId } = await queuePost(e2e, { text, at });
  expect(handle.ephemeral).toBe(true);
  if (postId === null) throw new Error(`not queued: ${reply}`);
  return { postId, message: await approvalMessageOf(e2e, postId) };
}

describe("the team's day, end to end", () => {
  it("given a team that sets Herald up, queues three posts and decides on them, publishes the approved one that is due exactly once and says so", async () => {
    await setUpTeam(e2e);
    const connected = await connectTeamAccount(e2e);
    expect(connected).toContain(`Connected @${TEAM_X.username}`);
    expect(connected).toContain("sensitive");
    await createCampaign(e2e, { link: "https://shop.example.com/lamps?ref=team" });

    const nowPost = await queue("now", "Warm light for late desk sessions");
    const nextPost = await queue("next", "A lamp that clamps to any shelf");
    const localDay = DateTime.now().setZone("Europe/Berlin").plus({ days: 3 });
    const atPost = await queue(`${localDay.toFormat("yyyy-MM-dd")} 15:00`, "Dimmable and quiet");

    // Each post is in the approval channel as it will appear on X, with its time in Berlin.
    for (const { postId, message } of [nowPost, nextPost, atPost]) {
      const embed = message.embeds[0] as { title: string; description: string };
      expect(embed.title).toBe(`Post #${postId} · Desk Lamps`);
      const link = new URL(embed.description.split("\n").at(-1) ?? "");
      expect(link.searchParams.get("ref")).toBe("team");
      expect(link.searchParams.get("utm_campaign")).toBe("desk-lamps");
      expect(link.searchParams.get("utm_content")).toBe(String(postId));
      expect(embedField(message, "Adult")).toBe("no");
      expect(embedField(message, "Author")).toBe(`<@${TEAM.manager}>`);
      expect(embedField(message, "Length")).toMatch(/^\d+\/280$/);
      expect(buttonsOf(message)).toEqual([
        { id: `post:approve:${postId}`, disabled: false },
        { id: `post:reject:${postId}`, disabled: false },
        { id: `post:edit:${postId}`, disabled: false },
        { id: `post:reschedule:${postId}`, disabled: false },
      ]);
    }
    const atInstant = localDay.set({ hour: 15, minute: 0, second: 0, millisecond: 0 });
    expect(embedField(atPost.message, "Scheduled")).toMatch(
      new RegExp(
        `^${localDay.toFormat("yyyy-MM-dd")} 15:00 CES?T \\(<t:${atInstant.toSeconds()}:R>\\)$`,
      ),
    );
    expect(embedField(nextPost.message, "Scheduled")).toMatch(/ (09|15|21):00 CES?T /);

    // A member without the approver role is refused, privately, and nothing changes.
    const refused = await e2e.discord.pressButton({
      user: TEAM.member,
      message: nowPost.message,
      customId: `post:approve:${nowPost.postId}`,
    });
    expect(refused.ephemeral).toBe(true);
    expect((await refused.reply()).content).toContain("You need the approver role");
    expect((await e2e.herald.posts.get(nowPost.postId)).status).toBe("pending_approval");

    const published = new Promise<string>((resolve) =>
      e2e.herald.runner.once("post.published", ({ xPostId }) => resolve(xPostId)),
    );
    for (const post of [nowPost, atPost]) {
      const approved = await e2e.discord.pressButton({
        user: TEAM.approver,
        message: post.message,
        customId: `post:approve:${post.postId}`,
      });
      expect((await approved.reply()).content).toContain(`Approved post #${post.postId}`);
    }
    const reject = await e2e.discord.pressButton({
      user: TEAM.approver,
      message: nextPost.message,
      customId: `post:reject:${nextPost.postId}`,
    });
    expect(reject.modal?.customId).toBe(`post-modal:reject:${nextPost.postId}`);
    const rejected = await e2e.discord.submitModal({
      user: TEAM.approver,
      customId: `post-modal:reject:${nextPost.postId}`,
      fields: { reason: "Too close to yesterday's lamp post" },
    });
    expect((await rejected.reply()).content).toContain(`Rejected post #${nextPost.postId}`);

    // The rejected post's message shows who decided and why; only Edit still works (an edit sends
    // it back to approval).
    const decided = await e2e.discord.waitForChannelMessage(
      TEAM.channels.approvals,
      (message) =>
        message.id === nextPost.message.id &&
        (embedField(message, "Decision") ?? "").startsWith("Rejected"),
    );
    expect(embedField(decided, "Decision")).toContain(`<@${TEAM.approver}>`);
    expect(embedField(decided, "Decision")).toContain("Too close to yesterday's lamp post");
    expect(buttonsOf(decided).filter((button) => !button.disabled)).toEqual([
      { id: `post:edit:${nextPost.postId}`, disabled: false },
    ]);

    // The "now" post reaches X once, with the tracked link and the paid-partnership label.
    const xPostId = await published;
    const notice = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (message) =>
      message.content.startsWith(`Published post #${nowPost.postId}`),
    );
    expect(notice.content).toContain(`https://x.com/${TEAM_X.username}/status/${xPostId}`);
    expect(e2e.fakeX.posts).toHaveLength(1);
    const [onX] = e2e.fakeX.posts;
    expect(onX?.id).toBe(xPostId);
    expect(onX?.paidPartnership).toBe(true);
    expect(onX?.text).toContain("Warm light for late desk sessions");
    expect(onX?.text).toContain(`utm_content=${nowPost.postId}`);
    expect((await e2e.herald.posts.get(atPost.postId)).status).toBe("approved");
    expect((await e2e.herald.posts.get(nextPost.postId)).status).toBe("rejected");
  });
});

describe("autocomplete", () => {
  it("offers the team's campaigns by name and its posts by text or number as the member types", async () => {
    await setUpTeam(e2e);
    await createCampaign(e2e);
    await createCampaign(e2e, { name: "Garden Chairs", niche: "garden" });
    const { postId } = await queue("next", "Lamp with a warm glow");

    const campaigns = await e2e.discord.autocomplete({
      user: TEAM.manager,
      name: "post",
      subcommand: "queue",
      options: { campaign: "gard" },
      focused: "campaign",
    });
    expect(campaigns.choices).toEqual([{ name: "Garden Chairs", value: "Garden Chairs" }]);

    for (const typed of ["warm", `#${postId}`]) {
      const posts = await e2e.discord.autocomplete({
        user: TEAM.manager,
        name: "post",
        subcommand: "cancel",
        options: { post: typed },
        focused: "post",
      });
      expect(posts.choices).toEqual([
        { name: `#${postId} · pending_approval · Lamp with a warm glow`, value: postId },
      ]);
    }
  });

  it("offers a post by its exact number even when 25 newer posts fill the list", async () => {
    await setUpTeam(e2e);
    await createCampaign(e2e);
    const { postId: oldest } = await queue("next", "The first lamp we reviewed");
    for (let i = 1; i <= 25; i++)
      await queuePost(e2e, { text: `Newer lamp review ${i}`, at: "next" });

    const posts = await e2e.discord.autocomplete({
      user: TEAM.manager,
      name: "post",
      subcommand: "edit",
      options: { post: String(oldest) },
      focused: "post",
    });

    const choices = posts.choices ?? [];
    expect(choices[0]).toEqual({
      name: `#${oldest} · pending_approval · The first lamp we reviewed`,
      value: oldest,
    });
    expect(choices.filter((choice) => choice.value === oldest)).toHaveLength(1);
  });
});
