import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  approvalMessageOf,
  approvePost,
  connectTeamAccount,
  createCampaign,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { MessageWrite } from "../support/fake-discord/server.ts";

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E();
  await setUpTeam(e2e);
  await connectTeamAccount(e2e);
});
afterEach(() => finishE2E(e2e));

/** A campaign name, a post text and a reason a team might type, each able to ping people. */
const NAME = "@everyone <@&123> Spring";
const TEXT = `Spring lamps for @everyone and <@&${TEAM.roles.approvers}>`;
const REASON = "@here <@1234567890123456789> this reads like spam";

const NOBODY = { everyone: false, users: [], roles: [] };

async function command(
  user: string,
  name: string,
  subcommand: string | undefined,
  options: Record<string, string> = {},
): Promise<string> {
  const handle = await e2e.discord.runCommand({
    user,
    name,
    ...(subcommand === undefined ? {} : { subcommand }),
    options,
  });
  const reply = await handle.reply({ timeoutMs: 10_000 });
  return reply.content;
}

/** The approver rejects the post through the Reject button and its form. */
async function reject(postId: number, reason: string): Promise<string> {
  const pressed = await e2e.discord.pressButton({
    user: TEAM.approver,
    message: await approvalMessageOf(e2e, postId),
    customId: `post:reject:${postId}`,
  });
  if (pressed.modal === undefined) throw new Error("Reject opened no form");
  const submitted = await e2e.discord.submitModal({
    user: TEAM.approver,
    customId: pressed.modal.customId,
    fields: { reason },
  });
  return (await submitted.reply()).content;
}

describe("mentions, end to end", () => {
  it("given a rejection with a reason, tells the author in the approval channel with the post number and the reason, pinging only the author", async () => {
    await createCampaign(e2e);
    const { postId } = await queuePost(e2e, { text: "A lamp with a long arm", at: "next" });
    if (postId === null) throw new Error("not queued");
    expect(await reject(postId, "Say which shelf it clamps to")).toContain(
      `Rejected post #${postId}`,
    );

    const notice = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (message) =>
      message.content.startsWith(`<@${TEAM.manager}> Post #${postId} `),
    );
    expect(notice.content).toBe(
      `<@${TEAM.manager}> Post #${postId} (Desk Lamps) was rejected by <@${TEAM.approver}>: ` +
        "Say which shelf it clamps to\nEdit it (Edit button or /post edit) and it waits for approval again.",
    );
    const write = e2e.discord.messageWrites().find((entry) => entry.messageId === notice.id);
    expect(write?.allowedMentions).toMatchObject({ parse: [], users: [TEAM.manager] });
    // The approver is named but not pinged: only the author is told.
    expect(write?.pings).toEqual({ everyone: false, users: [TEAM.manager], roles: [] });
  });

  it("given a campaign named @everyone <@&123> Spring, a post and a reason full of mentions, no message Herald sends through the whole story pings anyone but the rejected post's author", async () => {
    const created = await command(TEAM.manager, "campaign", "create", {
      name: NAME,
      niche: "home",
      times: "09:00,15:00,21:00",
      timezone: "Europe/Berlin",
      link: "https://shop.example.com/lamps",
    });
    expect(created).toContain(NAME);

    // Queued, approved, published, with the notice in the approval channel.
    const published = await queuePost(e2e, { campaign: NAME, text: TEXT, at: "now" });
    if (published.postId === null) throw new Error(`not queued: ${published.reply}`);
    await approvePost(e2e, published.postId);
    const publishedNotice = await e2e.discord.waitForChannelMessage(
      TEAM.channels.approvals,
      (message) => message.content.startsWith(`Published post #${published.postId} `),
    );
    // Shown as typed: nothing is escaped, allowed_mentions is what keeps it silent.
    expect(publishedNotice.content).toContain(`(${NAME})`);

    // Queued and rejected with a reason that mentions everyone here and a member.
    const rejected = await queuePost(e2e, {
      campaign: NAME,
      text: "Another spring lamp",
      at: "next",
    });
    if (rejected.postId === null) throw new Error(`not queued: ${rejected.reply}`);
    await reject(rejected.postId, REASON);
    const rejectionNotice = await e2e.discord.waitForChannelMessage(
      TEAM.channels.approvals,
      (message) => message.content.startsWith(`<@${TEAM.manager}> Post #${rejected.postId} `),
    );
    expect(rejectionNotice.content).toContain(`(${NAME}) was rejected`);
    expect(rejectionNotice.content).toContain(REASON);

    // Lists, the report and the daily report all carry the name.
    expect(await command(TEAM.member, "campaign", "list")).toContain(NAME);
    await command(TEAM.member, "campaign", "show", { campaign: NAME });
    await command(TEAM.member, "post", "list", { campaign: NAME });
    await command(TEAM.member, "report", undefined, { campaign: NAME });
    expect(await e2e.herald.dailyReport.run(new Date())).toBe("queued");
    await e2e.discord.waitForChannelMessage(TEAM.channels.reports, () => true);

    const writes = e2e.discord.messageWrites();
    const isRejectionNotice = (write: MessageWrite) => write.messageId === rejectionNotice.id;
    expect(writes.filter(isRejectionNotice)).toHaveLength(1);
    // Not vacuous: the name and the reason reached message text that would ping without the guard.
    expect(writes.filter((write) => write.content.includes(NAME)).length).toBeGreaterThanOrEqual(4);
    for (const write of writes) {
      const what = `${write.kind} of message ${write.messageId}: ${write.content.slice(0, 80)}`;
      const author = isRejectionNotice(write) ? [TEAM.manager] : [];
      expect(write.allowedMentions, what).toBeDefined();
      expect(write.allowedMentions?.parse, what).toEqual([]);
      expect(write.allowedMentions?.roles ?? [], what).toEqual([]);
      expect(write.allowedMentions?.users ?? [], what).toEqual(author);
      expect(write.pings, what).toEqual(
        isRejectionNotice(write) ? { ...NOBODY, users: author } : NOBODY,
      );
    }
  });
});
