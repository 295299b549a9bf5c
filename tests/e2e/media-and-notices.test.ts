import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM, TEAM_X } from "../support/e2e-harness.ts";
import {
  approvePost,
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  databaseFingerprint,
  finishE2E,
  type QueuedPost,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { OptionValue } from "../support/fake-discord/command-options.ts";

// The eight bytes every PNG starts with, then filler: enough for type and size checks.
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(2048, 7),
]);

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E();
  await setUpTeam(e2e);
  await connectTeamAccount(e2e);
  await createCampaign(e2e);
});
afterEach(() => finishE2E(e2e));

/** Queues a post due now; attachments are downloaded first, so the reply may take longer. */
async function queueNow(text: string, extra: Record<string, OptionValue> = {}) {
  return queuePost(e2e, { text, at: "now", ...extra }, { timeoutMs: 10_000 });
}

/** The id of a post that was queued, or a failure naming Herald's answer. */
function queuedId({ postId, reply }: QueuedPost): number {
  if (postId === null) throw new Error(`not queued: ${reply}`);
  return postId;
}

describe("attachments and notices", () => {
  it("given an image attachment, stores it under the data folder and publishes it with the post", async () => {
    const media = e2e.discord.addAttachment("lamp.png", "image/png", PNG);
    const postId = queuedId(await queueNow("The lamp, in daylight", { media }));
    const stored = readdirSync(join(dirname(e2e.databaseFile), "media"));
    expect(stored).toHaveLength(1);

    const published = new Promise((resolve) => e2e.herald.runner.once("post.published", resolve));
    await approvePost(e2e, postId);
    await published;
    expect(e2e.fakeX.media).toHaveLength(1);
    expect(e2e.fakeX.posts[0]?.mediaIds).toEqual([e2e.fakeX.media[0]?.id]);
  });

  it("given an attachment of the wrong type or too large, says what to fix and writes nothing", async () => {
    const before = await databaseFingerprint(e2e);
    const wrongType = e2e.discord.addAttachment("notes.txt", "text/plain", Buffer.from("hello"));
    const tooLarge = e2e.discord.addAttachment(
      "huge.png",
      "image/png",
      Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]),
    );
    const typeReply = await queueNow("A lamp with notes", { media: wrongType });
    expect(typeReply.handle.ephemeral).toBe(true);
    expect(typeReply.reply).toBe(
      "notes.txt is text/plain; attach a JPEG, PNG, WebP or GIF image, or an MP4 or MOV video.",
    );
    const sizeReply = await queueNow("A lamp, very large", { media: tooLarge });
    expect(sizeReply.reply).toBe("huge.png is 5.0 MB; X takes images of at most 5.0 MB.");
    expect(await databaseFingerprint(e2e)).toEqual(before);
    expect(existsSync(join(dirname(e2e.databaseFile), "media"))).toBe(false);
  });

  it("given X refuses a post, the team is told why and Retry sends it again", async () => {
    // X says "duplicate" and the post is not on the timeline: a refusal with X's reason.
    e2e.fakeX.fail("POST /2/tweets", { kind: "duplicate" });
    const postId = queuedId(await queueNow("Lamp shades in three colours"));
    const failed = new Promise((resolve) => e2e.herald.runner.once("post.failed", resolve));
    await approvePost(e2e, postId);
    await failed;
    const notice = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (message) =>
      message.content.startsWith(`Post #${postId} failed:`),
    );
    expect(notice.content).toContain("duplicate content");
    expect(buttonsOf(notice)).toEqual([{ id: `post:retry:${postId}`, disabled: false }]);

    const published = new Promise((resolve) => e2e.herald.runner.once("post.published", resolve));
    const retry = await e2e.discord.pressButton({
      user: TEAM.approver,
      message: notice,
      customId: `post:retry:${postId}`,
    });
    expect((await retry.reply()).content).toContain(`Post #${postId} will be tried again now.`);
    await published;
    expect(e2e.fakeX.posts.map((post) => post.text)).toEqual([
      expect.stringContaining("Lamp shades in three colours"),
    ]);
  });

  it("given X refuses the account's keys, the team is told to reconnect and its posts are held", async () => {
    e2e.fakeX.fail("POST /2/tweets", { kind: "unauthorized" });
    const postId = queuedId(await queueNow("Lamp bulbs that last"));
    const invalid = new Promise((resolve) => e2e.herald.runner.once("account.invalid", resolve));
    await approvePost(e2e, postId);
    await invalid;
    const notice = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (message) =>
      message.content.startsWith(`X refused the keys of @${TEAM_X.username}`),
    );
    expect(notice.content).toContain("/x connect");
    expect((await e2e.herald.posts.get(postId)).status).toBe("approved");
    expect(e2e.fakeX.posts).toHaveLength(0);
  });
});
