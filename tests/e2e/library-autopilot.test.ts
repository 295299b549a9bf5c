import { afterEach, describe, expect, it } from "vitest";
import type { Post } from "../../src/domain/posts.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  finishE2E,
  setUpTeam,
} from "../support/e2e-steps.ts";
import { FixedClock } from "../support/fixed-clock.ts";

let e2e: E2E;
afterEach(() => finishE2E(e2e));

const LIBRARY = [
  "text,link,tags",
  "{Warm|Soft} light for {reading|late work} {link},,reading",
  "A clamp lamp fits any desk,https://shop.example.com/clamp,clamps",
  "Dimmable at the touch of a button,,dimmers",
  "A lamp for the long winter evenings,,winter",
  "Not a lamp {at all,,broken",
].join("\n");

describe("from a CSV file to published posts", () => {
  it("/content import → preview → Import → autopilot fills the day → Approve all → each post goes out at its slot, the link where {link} stood", async () => {
    // Monday 2026-12-07, 07:00 in Berlin: slots at 09:00, 15:00 and 21:00 today.
    const clock = new FixedClock(new Date("2026-12-07T06:00:00Z"));
    e2e = await startE2E({ clock });
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e, { link: "https://shop.example.com/lamps" });

    const file = e2e.discord.addAttachment("lamps.csv", "text/csv", Buffer.from(LIBRARY));
    const previewed = await e2e.discord.runCommand({
      user: TEAM.manager,
      name: "content",
      subcommand: "import",
      options: { campaign: "Desk Lamps", file },
    });
    const preview = await previewed.reply();
    expect(preview.content).toMatch(
      /^\*\*lamps\.csv\*\* for Desk Lamps: 4 rows can be imported, 1 row is refused\./,
    );
    const imported = await e2e.discord.pressButton({
      user: TEAM.manager,
      message: preview,
      customId: buttonsOf(preview)[0]?.id ?? "",
    });
    expect((await imported.reply()).content).toBe(
      "Imported 4 items into the library of Desk Lamps.",
    );

    const turnedOn = await e2e.discord.runCommand({
      user: TEAM.manager,
      name: "campaign",
      subcommand: "autopilot",
      options: { campaign: "Desk Lamps", enabled: true, days_ahead: 1 },
    });
    await turnedOn.reply();
    const digest = await e2e.discord.waitForChannelMessage(
      TEAM.channels.approvals,
      (message) => buttonsOf(message).some((button) => button.id.startsWith("autopilot:approve:")),
      15_000,
    );
    const queued = await e2e.herald.prisma.post.findMany({ orderBy: { scheduledAt: "asc" } });
    expect(queued.map((post) => post.scheduledAt.toISOString())).toEqual([
      "2026-12-07T08:00:00.000Z",
      "2026-12-07T14:00:00.000Z",
      "2026-12-07T20:00:00.000Z",
    ]);
    expect(new Set(queued.map((post) => post.status))).toEqual(new Set(["pending_approval"]));
    expect(new Set(queued.map((post) => post.createdBy))).toEqual(new Set(["autopilot"]));
    expect(e2e.fakeX.posts).toHaveLength(0);

    // Review one by one: each listed post, its local time and a link to its own approval message.
    const review = buttonsOf(digest).find((b) => b.id.startsWith("autopilot:review:"));
    const reviewed = await e2e.discord.pressButton({
      user: TEAM.approver,
      message: digest,
      customId: review?.id ?? "",
    });
    const listed = (await reviewed.reply()).content.split("\n");
    expect(listed).toHaveLength(3);
    const shown = await e2e.herald.prisma.post.findMany({ orderBy: { scheduledAt: "asc" } });
    for (const [index, post] of shown.entries()) {
      expect(listed[index]).toMatch(new RegExp(`^#${post.id} .*\\(pending approval\\): `));
      expect(listed[index]).toContain(
        `https://discord.com/channels/${TEAM.guildId}/${post.approvalChannelId}/${post.approvalMessageId}`,
      );
    }

    const approve = buttonsOf(digest).find((b) => b.id.startsWith("autopilot:approve:"));
    const pressed = await e2e.discord.pressButton({
      user: TEAM.approver,
      message: digest,
      customId: approve?.id ?? "",
    });
    expect((await pressed.reply()).content).toMatch(/^Approved 3 posts: /);

    // Nothing goes out before its slot; at each slot, that post does.
    for (const [index, post] of queued.entries()) {
      const published = new Promise<Post>((resolve) =>
        e2e.herald.runner.once("post.published", ({ post: done }) => resolve(done)),
      );
      clock.set(post.scheduledAt);
      e2e.herald.runner.wake();
      expect((await published).id).toBe(post.id);
      expect(e2e.fakeX.posts).toHaveLength(index + 1);
    }
    const texts = e2e.fakeX.posts.map((post) => post.text);
    // Least recently used first, ties by id: the first three items of the file, in order.
    expect(texts[0]).toMatch(
      /^(Warm|Soft) light for (reading|late work) https:\/\/shop\.example\.com\/lamps\?\S+$/,
    );
    expect(texts[1]).toMatch(/^A clamp lamp fits any desk\nhttps:\/\/shop\.example\.com\/clamp\?/);
    expect(texts[2]).toMatch(/^Dimmable at the touch of a button\n/);
    const items = await e2e.herald.prisma.contentItem.findMany({ orderBy: { id: "asc" } });
    expect(items.map((item) => item.uses)).toEqual([1, 1, 1, 0]);
  });
});
