import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  approvalMessageOf,
  approvePost,
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  databaseFingerprint,
  embedField,
  finishE2E,
  outboxSettled,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { OptionValue } from "../support/fake-discord/command-options.ts";
import type { ApiMessage, InteractionHandle } from "../support/fake-discord/server.ts";

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E();
  await setUpTeam(e2e);
  await connectTeamAccount(e2e);
  await createCampaign(e2e, { link: "https://shop.example.com/lamps" });
});
afterEach(() => finishE2E(e2e));

async function campaignCommand(
  subcommand: string,
  options: Record<string, OptionValue>,
  user: string = TEAM.manager,
): Promise<{ handle: InteractionHandle; reply: ApiMessage }> {
  const handle = await e2e.discord.runCommand({ user, name: "campaign", subcommand, options });
  const reply = await handle.reply();
  expect(handle.ephemeral).toBe(true);
  return { handle, reply };
}

async function queueApproved(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= count; i++) {
    const { postId, reply } = await queuePost(e2e, { text: `Lamp tip number ${i}`, at: "next" });
    if (postId === null) throw new Error(`not queued: ${reply}`);
    expect(await approvePost(e2e, postId)).toContain(`Approved post #${postId}`);
    ids.push(postId);
  }
  return ids;
}

/** The approval message of the post once it shows the post waiting again, buttons live. */
function waitingAgain(postId: number): Promise<ApiMessage> {
  return e2e.discord.waitForChannelMessage(
    TEAM.channels.approvals,
    (message) =>
      buttonsOf(message).some((b) => b.id === `post:approve:${postId}` && !b.disabled) &&
      embedField(message, "Status") === "Waiting for approval",
  );
}

function approvalChannelSays(prefix: string): ApiMessage[] {
  return e2e.discord
    .channelMessages(TEAM.channels.approvals)
    .filter((message) => message.content.startsWith(prefix));
}

describe("/campaign edit", () => {
  it("given approved posts, adult:true sends them all back to approval with one summary message and live buttons again", async () => {
    const ids = await queueApproved(3);
    for (const id of ids) {
      const decided = await e2e.discord.waitForChannelMessage(
        TEAM.channels.approvals,
        (m) =>
          buttonsOf(m).some((b) => b.id === `post:approve:${id}` && b.disabled) &&
          embedField(m, "Status") === "Approved",
      );
      expect(embedField(decided, "Adult")).toBe("no");
    }

    const { reply } = await campaignCommand("edit", { campaign: "desk lamps", adult: true });
    expect(reply.content).toMatch(/^Changed campaign \*\*Desk Lamps\*\*/);
    expect(reply.content).toContain("3 approved posts went back to approval.");

    for (const id of ids) {
      expect(await e2e.herald.posts.get(id)).toMatchObject({
        status: "pending_approval",
        approval: null,
      });
      const message = await waitingAgain(id);
      expect(embedField(message, "Adult")).toBe("yes: media is marked sensitive on X");
    }
    await outboxSettled(e2e);
    expect(approvalChannelSays("3 approved posts")).toEqual([
      expect.objectContaining({
        content:
          "3 approved posts of Desk Lamps wait for approval again: the campaign is now marked adult.",
      }),
    ]);
    // An approver approves them again as usual.
    expect(await approvePost(e2e, ids[0] as number)).toContain("Approved post");
  });

  it("given a disclosure tag set, the summary names the posts without it and approving them is refused until they are edited", async () => {
    const [id] = await queueApproved(1);
    await campaignCommand("edit", { campaign: "Desk Lamps", disclosure_tag: "ad" });
    const summary = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (m) =>
      m.content.startsWith("1 approved post of Desk Lamps waits"),
    );
    expect(summary.content).toBe(
      `1 approved post of Desk Lamps waits for approval again: the disclosure tag is now #ad.\n#${id} no longer passes the campaign's content rules (e.g. a missing disclosure tag) and cannot be approved until edited.`,
    );

    const before = await databaseFingerprint(e2e);
    const refused = await approvePost(e2e, id as number);
    expect(refused).toContain('requires the disclosure tag "#ad"');
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });

  it("given new posting times, the next 'next' slot follows them and queued posts keep their times", async () => {
    const { postId: queued } = await queuePost(e2e, {
      text: "Queued before the change",
      at: "next",
    });
    const before = (await e2e.herald.posts.get(queued as number)).scheduledAt;

    const { reply } = await campaignCommand("edit", {
      campaign: "Desk Lamps",
      times: "10:30",
      days: "daily",
    });
    expect(reply.content).toContain("Slots: daily at 10:30 (Europe/Berlin)");
    expect(reply.content).not.toContain("went back to approval");

    expect((await e2e.herald.posts.get(queued as number)).scheduledAt).toEqual(before);
    const { postId: after } = await queuePost(e2e, { text: "Queued after the change", at: "next" });
    const message = await approvalMessageOf(e2e, after as number);
    expect(embedField(message, "Scheduled")).toMatch(/ 10:30 CES?T /);
    expect(approvalChannelSays("1 approved post")).toEqual([]);
  });

  it("autocompletes time zones and accounts on create and edit, and time zones on /settings set", async () => {
    for (const [name, subcommand, options, focused] of [
      ["campaign", "edit", { campaign: "Desk Lamps", timezone: "berl" }, "timezone"],
      ["campaign", "create", { timezone: "berl" }, "timezone"],
      ["settings", "set", { timezone: "berl" }, "timezone"],
    ] as const) {
      const answer = await e2e.discord.autocomplete({
        user: TEAM.admin,
        name,
        subcommand,
        options,
        focused,
      });
      expect(answer.choices).toEqual([{ name: "Europe/Berlin", value: "Europe/Berlin" }]);
    }
    // Within Discord's limits however much matches: at most 25 choices, names of at most 100.
    for (const typed of ["", "america", "utc"]) {
      const answer = await e2e.discord.autocomplete({
        user: TEAM.admin,
        name: "settings",
        subcommand: "set",
        options: { timezone: typed },
        focused: "timezone",
      });
      const choices = answer.choices ?? [];
      expect(choices.length).toBeGreaterThan(0);
      expect(choices.length).toBeLessThanOrEqual(25);
      for (const choice of choices) expect(choice.name.length).toBeLessThanOrEqual(100);
    }
    const accounts = await e2e.discord.autocomplete({
      user: TEAM.manager,
      name: "campaign",
      subcommand: "edit",
      options: { campaign: "Desk Lamps", account: "team" },
      focused: "account",
    });
    expect(accounts.choices).toEqual([{ name: "@team_deals", value: "team_deals" }]);
  });

  it.each<[string, Record<string, OptionValue>, RegExp]>([
    [
      "an unknown campaign",
      { campaign: "Pet Toys", epc: 1 },
      /There is no campaign called "Pet Toys"/,
    ],
    [
      "a disclosure tag over 30 characters",
      { campaign: "Desk Lamps", disclosure_tag: `#${"a".repeat(31)}` },
      /disclosure tag is 31 characters; keep it to 30/,
    ],
    [
      "a name another campaign has, in another case",
      { campaign: "Desk Lamps", name: "GARDEN chairs" },
      /A campaign called "GARDEN chairs".*already exists/,
    ],
    ["nothing to change", { campaign: "Desk Lamps" }, /^Nothing to change/],
    [
      "an account that is not connected",
      { campaign: "Desk Lamps", account: "nobody" },
      /No X account @nobody/,
    ],
  ])("given %s, refuses privately and changes nothing", async (_, options, refusal) => {
    await createCampaign(e2e, { name: "Garden Chairs", niche: "garden" });
    await queueApproved(1);
    const before = await databaseFingerprint(e2e);
    const { reply } = await campaignCommand("edit", options);
    expect(reply.content).toMatch(refusal);
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });
});

describe("/campaign archive", () => {
  async function askToArchive(name: string): Promise<{ reply: ApiMessage; confirm: string }> {
    const { reply } = await campaignCommand("archive", { campaign: name });
    const confirm = buttonsOf(reply)[0]?.id;
    if (confirm === undefined) throw new Error(`no Confirm button: ${reply.content}`);
    return { reply, confirm };
  }

  it("asks first, then cancels the waiting posts (their messages updated), frees the name and keeps the campaign in /report", async () => {
    const [approved] = await queueApproved(1);
    const { postId: waiting } = await queuePost(e2e, { text: "Still waiting", at: "next" });
    const campaignId = (await e2e.herald.campaigns.get(TEAM.guildId, "Desk Lamps")).id;

    const before = await databaseFingerprint(e2e);
    const { reply, confirm } = await askToArchive("DESK LAMPS");
    expect(reply.content).toContain(
      "Archive **Desk Lamps**? This cancels 2 posts not yet published",
    );
    expect(confirm).toBe(`campaign:archive:${campaignId}`);
    expect(await databaseFingerprint(e2e)).toEqual(before);

    const press = await e2e.discord.pressButton({
      user: TEAM.manager,
      message: reply,
      customId: confirm,
    });
    expect(press.ephemeral).toBe(true);
    expect((await press.reply()).content).toBe(
      "Campaign **Desk Lamps** is now archived: 2 posts cancelled. The name is free for a new campaign.",
    );
    for (const id of [approved, waiting] as number[]) {
      expect((await e2e.herald.posts.get(id)).status).toBe("cancelled");
      const message = await e2e.discord.waitForChannelMessage(
        TEAM.channels.approvals,
        (m) =>
          buttonsOf(m).some((b) => b.id === `post:approve:${id}`) &&
          embedField(m, "Status") === "Cancelled",
      );
      expect(buttonsOf(message).every((b) => b.disabled)).toBe(true);
    }

    const report = await e2e.discord.runCommand({
      user: TEAM.member,
      name: "report",
      options: { campaign: "desk lamps" },
    });
    expect((await report.reply()).embeds).toHaveLength(1);

    expect(await createCampaign(e2e)).toMatch(/^Created campaign \*\*Desk Lamps\*\* \(active\)/);
  });

  it("given the Confirm button pressed twice, the second press says so and changes nothing", async () => {
    await queueApproved(1);
    const { reply, confirm } = await askToArchive("Desk Lamps");
    const first = await e2e.discord.pressButton({
      user: TEAM.manager,
      message: reply,
      customId: confirm,
    });
    expect((await first.reply()).content).toContain("is now archived");

    const before = await databaseFingerprint(e2e);
    const second = await e2e.discord.pressButton({
      user: TEAM.manager,
      message: reply,
      customId: confirm,
    });
    expect(second.ephemeral).toBe(true);
    expect((await second.reply()).content).toBe(
      'Campaign "Desk Lamps" is already archived; nothing changed.',
    );
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });

  it("given the member lost the content role after asking, the Confirm press is refused and changes nothing", async () => {
    await queueApproved(1);
    const { reply, confirm } = await askToArchive("Desk Lamps");
    const moved = await e2e.discord.runCommand({
      user: TEAM.admin,
      name: "settings",
      subcommand: "set",
      options: { manager_role: TEAM.roles.approvers },
    });
    expect((await moved.reply()).content).toMatch(/^Saved\./);

    const before = await databaseFingerprint(e2e);
    const press = await e2e.discord.pressButton({
      user: TEAM.manager,
      message: reply,
      customId: confirm,
    });
    expect(press.ephemeral).toBe(true);
    expect((await press.reply()).content).toMatch(
      /^You need the content manager role to archive campaigns\./,
    );
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });

  it("given an unknown or already archived campaign, refuses to ask and changes nothing", async () => {
    const before = await databaseFingerprint(e2e);
    const unknown = await campaignCommand("archive", { campaign: "Pet Toys" });
    expect(unknown.reply.content).toMatch(/There is no campaign called "Pet Toys"/);
    expect(buttonsOf(unknown.reply)).toEqual([]);
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });
});

describe("campaign names", () => {
  it("given a name typed in another case and spacing, every command that takes a campaign finds it", async () => {
    const typed = "  desk   LAMPS ";
    const { postId, reply: queued } = await queuePost(e2e, {
      campaign: typed,
      text: "Found in any case",
      at: "next",
    });
    expect(queued).toMatch(/^Queued post #/);

    const list = await e2e.discord.runCommand({
      user: TEAM.member,
      name: "post",
      subcommand: "list",
      options: { campaign: typed },
    });
    expect((await list.reply()).content).toContain(`#${postId}`);
    expect((await campaignCommand("show", { campaign: typed })).reply.content).toMatch(
      /^\*\*Desk Lamps\*\* \(active\)/,
    );
    for (const [subcommand, status] of [
      ["pause", "paused"],
      ["resume", "active"],
    ] as const) {
      expect((await campaignCommand(subcommand, { campaign: typed })).reply.content).toBe(
        `Campaign **Desk Lamps** is now ${status}.`,
      );
    }
    expect((await campaignCommand("edit", { campaign: typed, epc: 0.7 })).reply.content).toMatch(
      /^Changed campaign \*\*Desk Lamps\*\*/,
    );
    const report = await e2e.discord.runCommand({
      user: TEAM.member,
      name: "report",
      options: { campaign: typed },
    });
    expect((await report.reply()).embeds).toHaveLength(1);
    const choices = await e2e.discord.autocomplete({
      user: TEAM.manager,
      name: "campaign",
      subcommand: "archive",
      options: { campaign: "LAMP" },
      focused: "campaign",
    });
    expect(choices.choices).toEqual([{ name: "Desk Lamps", value: "Desk Lamps" }]);
    expect((await campaignCommand("archive", { campaign: typed })).reply.content).toMatch(
      /^Archive \*\*Desk Lamps\*\*\?/,
    );
  });

  it("offers an archived campaign only where it can be acted on, and its name once when a new campaign took it", async () => {
    const { reply } = await campaignCommand("archive", { campaign: "Desk Lamps" });
    const press = await e2e.discord.pressButton({
      user: TEAM.manager,
      message: reply,
      customId: buttonsOf(reply)[0]?.id ?? "",
    });
    await press.reply();
    const offered = async (subcommand: string) =>
      (
        await e2e.discord.autocomplete({
          user: TEAM.manager,
          name: "campaign",
          subcommand,
          options: { campaign: "desk" },
          focused: "campaign",
        })
      ).choices;
    expect(await offered("edit")).toEqual([]);
    expect(await offered("show")).toEqual([{ name: "Desk Lamps", value: "Desk Lamps" }]);
    await createCampaign(e2e);
    expect(await offered("show")).toEqual([{ name: "Desk Lamps", value: "Desk Lamps" }]);
    expect(await offered("edit")).toEqual([{ name: "Desk Lamps", value: "Desk Lamps" }]);
  });
});
