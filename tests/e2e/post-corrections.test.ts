import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discordActor } from "../../src/domain/audit.ts";
import { type E2E, startE2E, TEAM, TEAM_X } from "../support/e2e-harness.ts";
import {
  approvalMessageOf,
  approvePost,
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  databaseFingerprint,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { OptionValue } from "../support/fake-discord/command-options.ts";
import type { ShownModal } from "../support/fake-discord/server.ts";

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E();
  await setUpTeam(e2e);
});
afterEach(() => finishE2E(e2e));

async function postCommand(
  subcommand: string,
  options: Readonly<Record<string, OptionValue>>,
  user: string = TEAM.manager,
) {
  const handle = await e2e.discord.runCommand({ user, name: "post", subcommand, options });
  return { handle, reply: handle.modal === undefined ? (await handle.reply()).content : "" };
}

/** A text input's prefilled value in a modal the bot showed. */
function prefilled(modal: ShownModal | undefined, id: string): string | undefined {
  const inputs = (modal?.components ?? []).flatMap(
    (row) => (row as { components?: { custom_id: string; value?: string }[] }).components ?? [],
  );
  return inputs.find((input) => input.custom_id === id)?.value;
}

function enabledButtons(message: Awaited<ReturnType<typeof approvalMessageOf>>): string[] {
  return buttonsOf(message)
    .filter((button) => !button.disabled)
    .map((button) => button.id.split(":")[1] ?? "");
}

/** The approval message once it shows `status`. */
function messageInStatus(postId: number, status: string) {
  return e2e.discord.waitForChannelMessage(
    TEAM.channels.approvals,
    (m) =>
      buttonsOf(m).some((b) => b.id === `post:approve:${postId}`) &&
      (m.embeds[0] as { fields?: { name: string; value: string }[] } | undefined)?.fields?.find(
        (f) => f.name === "Status",
      )?.value === status,
  );
}

const MULTI_LINE =
  "Three lamps for a long desk.\nThe second one dims.\nhttps://author.example/review";

describe("a team's week of corrections", () => {
  it("given a campaign made before its account, every everyday correction is made from Discord", async () => {
    // Monday: the campaign exists before anyone connected X.
    expect(await createCampaign(e2e)).toMatch(/^Created campaign/);
    expect((await e2e.herald.campaigns.get(TEAM.guildId, "Desk Lamps")).xAccountId).toBeNull();
    expect(await connectTeamAccount(e2e)).toContain(`Connected @${TEAM_X.username}`);
    const edit = await e2e.discord.runCommand({
      user: TEAM.manager,
      name: "campaign",
      subcommand: "edit",
      options: { campaign: "Desk Lamps", account: TEAM_X.username },
    });
    expect((await edit.reply()).content).toMatch(/^Changed campaign \*\*Desk Lamps\*\*/);
    expect((await e2e.herald.campaigns.get(TEAM.guildId, "Desk Lamps")).xAccountId).not.toBeNull();

    // A multi-line post through the form; the options given travel into it.
    const opened = await postCommand("queue", { campaign: "Desk Lamps", at: "next" });
    const form = opened.handle.modal;
    expect(form?.customId).toBe(`post-queue:${opened.handle.id}`);
    expect(prefilled(form, "campaign")).toBe("Desk Lamps");
    expect(prefilled(form, "at")).toBe("next");
    const fields = { text: MULTI_LINE, campaign: "Desk Lamps", link: "", at: "next" };
    const customId = form?.customId ?? "";
    const submitted = await e2e.discord.submitModal({ user: TEAM.manager, customId, fields });
    const queued = (await submitted.reply()).content;
    const postId = Number(/^Queued post #(\d+)/.exec(queued)?.[1]);
    expect(queued).toContain("It is in the approval channel.");
    expect((await e2e.herald.posts.get(postId)).text).toBe(MULTI_LINE);

    // The same form delivered twice queues nothing more.
    const before = await databaseFingerprint(e2e);
    const again = await e2e.discord.submitModal({
      user: TEAM.manager,
      customId,
      fields,
      again: true,
    });
    expect(again.ephemeral).toBe(true);
    expect((await again.reply()).content).toBe(
      `This form was submitted already and queued post #${postId}; nothing more was queued.`,
    );
    expect(await databaseFingerprint(e2e)).toEqual(before);

    // The Edit form starts from the stored text: line breaks and the author's last-line URL stay.
    const press = await e2e.discord.pressButton({
      user: TEAM.approver,
      message: await approvalMessageOf(e2e, postId),
      customId: `post:edit:${postId}`,
    });
    expect(prefilled(press.modal, "text")).toBe(MULTI_LINE);
    const edited = await e2e.discord.submitModal({
      user: TEAM.approver,
      customId: `post-modal:edit:${postId}`,
      fields: { text: prefilled(press.modal, "text") ?? "" },
    });
    expect((await edited.reply()).content).toBe(
      `Post #${postId} was changed and waits for approval again.`,
    );
    expect((await e2e.herald.posts.get(postId)).text).toBe(MULTI_LINE);

    // Approved: no second decision, but it can still be moved or edited.
    expect(await approvePost(e2e, postId)).toContain(`Approved post #${postId}.`);
    expect(enabledButtons(await messageInStatus(postId, "Approved"))).toEqual([
      "edit",
      "reschedule",
    ]);
    const oldTime = (await e2e.herald.posts.get(postId)).scheduledAt;

    // Rescheduled while approved: it stays approved and goes out at the new time.
    const published = new Promise<{ id: number; scheduledAt: Date }>((resolve) =>
      e2e.herald.runner.once("post.published", ({ post }) => resolve(post)),
    );
    const moved = await postCommand("reschedule", { post: postId, at: "now" });
    expect(moved.reply).toMatch(
      new RegExp(`^Post #${postId} is rescheduled and stays approved: it goes out `),
    );
    const out = await published;
    expect(out.id).toBe(postId);
    expect(out.scheduledAt.getTime()).toBeLessThan(oldTime.getTime());
    expect(e2e.fakeX.posts.map((post) => post.text)).toEqual([
      expect.stringContaining("The second one dims.\nhttps://author.example/review"),
    ]);

    // X refuses a post; the team edits it, approves it again and it is published.
    e2e.fakeX.fail("POST /2/tweets", { kind: "duplicate" });
    const refused = await queuePost(e2e, { text: "Lamp shades in three colours", at: "now" });
    const refusedId = refused.postId as number;
    const failed = new Promise((resolve) => e2e.herald.runner.once("post.failed", resolve));
    await approvePost(e2e, refusedId);
    await failed;
    expect(enabledButtons(await messageInStatus(refusedId, "Failed"))).toEqual(["edit", "retry"]);
    const fix = await postCommand("edit", {
      post: refusedId,
      text: "Lamp shades in three colours, now with a fourth",
    });
    expect(fix.reply).toBe(`Post #${refusedId} was changed and waits for approval again.`);
    expect(await e2e.herald.posts.get(refusedId)).toMatchObject({
      status: "pending_approval",
      approval: null,
      editedBy: discordActor(TEAM.manager),
    });
    const republished = new Promise((resolve) => e2e.herald.runner.once("post.published", resolve));
    expect(await approvePost(e2e, refusedId)).toContain(`Approved post #${refusedId}.`);
    await republished;
    expect(e2e.fakeX.posts.at(-1)?.text).toContain("now with a fourth");

    // Friday: the campaign is archived; the post still waiting is cancelled.
    const waiting = (await queuePost(e2e, { text: "A lamp for next week", at: "next" }))
      .postId as number;
    const archive = await e2e.discord.runCommand({
      user: TEAM.manager,
      name: "campaign",
      subcommand: "archive",
      options: { campaign: "Desk Lamps" },
    });
    const ask = await archive.reply();
    expect(ask.content).toContain("This cancels 1 post");
    const confirm = await e2e.discord.pressButton({
      user: TEAM.manager,
      message: ask,
      customId: buttonsOf(ask)[0]?.id ?? "",
    });
    expect((await confirm.reply()).content).toContain("is now archived: 1 post cancelled.");
    expect((await e2e.herald.posts.get(waiting)).status).toBe("cancelled");
    expect((await e2e.herald.posts.get(postId)).status).toBe("published");
  });
});

describe("/post edit and /post reschedule", () => {
  beforeEach(async () => {
    await connectTeamAccount(e2e);
    await createCampaign(e2e, { link: "https://shop.example.com/lamps" });
  });

  it("given a post that missed its time, edit replaces its link and sends it back to approval", async () => {
    const { postId } = await queuePost(e2e, { text: "A lamp that was late", at: "next" });
    const id = postId as number;
    await approvePost(e2e, id);
    // The runner marks a post missed once its time is long past; here the test sets it directly.
    await e2e.herald.prisma.post.update({ where: { id }, data: { status: "missed" } });

    const { reply } = await postCommand("edit", { post: id, link: "https://shop.example.com/new" });
    expect(reply).toBe(`Post #${id} was changed and waits for approval again.`);
    const post = await e2e.herald.posts.get(id);
    expect(post.status).toBe("pending_approval");
    expect(post.affiliateLink?.originalUrl).toBe("https://shop.example.com/new");
    expect(new URL(post.affiliateLink?.trackedUrl ?? "").searchParams.get("utm_content")).toBe(
      String(id),
    );
    const audit = await e2e.herald.prisma.auditEvent.findFirst({
      where: { action: "post.edit", targetId: String(id) },
    });
    expect(JSON.parse(audit?.payload ?? "{}")).toMatchObject({
      from: "missed",
      to: "pending_approval",
      changed: ["link"],
      previousLink: "https://shop.example.com/lamps",
    });
  });

  it("given bad input, each answer is private and clear and nothing changes", async () => {
    const keep = (await queuePost(e2e, { text: "A lamp to keep", at: "next" })).postId as number;
    const { postId } = await queuePost(e2e, { text: "A lamp to drop", at: "next" });
    const id = postId as number;
    await e2e.herald.posts.cancel(id, discordActor(TEAM.manager));
    const before = await databaseFingerprint(e2e);
    const cases: [string, Record<string, OptionValue>, RegExp][] = [
      ["reschedule", { post: 999, at: "next" }, /^There is no post #999\./],
      ["edit", { post: 999, text: "New" }, /^There is no post #999\./],
      ["reschedule", { post: keep, at: "2020-01-01 10:00" }, /is in the past/],
      ["reschedule", { post: id, at: "next" }, /was cancelled, so it cannot be rescheduled/],
      ["edit", { post: id, text: "New words" }, /was cancelled, so it cannot be edited/],
      ["edit", { post: id }, /^Give what changes: text, link or media/],
      ["queue", { campaign: "Nope", text: "Hello" }, /Nope/],
    ];
    for (const [subcommand, options, expected] of cases) {
      const { handle, reply } = await postCommand(subcommand, options);
      expect(handle.ephemeral).toBe(true);
      expect(reply).toMatch(expected);
    }
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });

  it("offers in autocomplete only the posts the subcommand can act on", async () => {
    const waiting = (await queuePost(e2e, { text: "Lamp waiting", at: "next" })).postId as number;
    const cancelled = (await queuePost(e2e, { text: "Lamp gone", at: "next" })).postId as number;
    await e2e.herald.posts.cancel(cancelled, discordActor(TEAM.manager));
    const rejected = (await queuePost(e2e, { text: "Lamp rejected", at: "next" })).postId as number;
    await e2e.herald.posts.reject(rejected, discordActor(TEAM.approver), "No");
    const offered = async (subcommand: string) =>
      (
        await e2e.discord.autocomplete({
          user: TEAM.manager,
          name: "post",
          subcommand,
          options: { post: "Lamp" },
          focused: "post",
        })
      ).choices?.map((choice) => choice.value) ?? [];
    expect((await offered("edit")).sort()).toEqual([waiting, rejected].sort());
    expect(await offered("reschedule")).toEqual([waiting]);
    expect(await offered("cancel")).toEqual([waiting]);
  });
});

describe("require_second_approver", () => {
  it("given the setting on, the author's press is refused and changes nothing; another approver's works", async () => {
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
    const set = await e2e.discord.runCommand({
      user: TEAM.admin,
      name: "settings",
      subcommand: "set",
      options: { require_second_approver: true },
    });
    expect((await set.reply()).content).toMatch(/^Saved\./);
    // The admin may approve (admins hold every role), and queues the post: the author.
    const queued = await e2e.discord.runCommand({
      user: TEAM.admin,
      name: "post",
      subcommand: "queue",
      options: { campaign: "Desk Lamps", text: "A lamp by the admin", at: "next" },
    });
    const postId = Number(/^Queued post #(\d+)/.exec((await queued.reply()).content)?.[1]);
    const message = await approvalMessageOf(e2e, postId);

    const before = await databaseFingerprint(e2e);
    const own = await e2e.discord.pressButton({
      user: TEAM.admin,
      message,
      customId: `post:approve:${postId}`,
    });
    expect(own.ephemeral).toBe(true);
    expect((await own.reply()).content).toBe(
      `You queued post #${postId}, and this server requires a second approver: another member with the approver role approves it.`,
    );
    expect(await databaseFingerprint(e2e)).toEqual(before);

    expect(await approvePost(e2e, postId)).toContain(`Approved post #${postId}.`);
    expect((await e2e.herald.posts.get(postId)).approval?.by).toBe(discordActor(TEAM.approver));
  });
});

describe("media of a refused queue", () => {
  it("given the domain refuses the post after the attachment was stored, the file is deleted", async () => {
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4830000000049454e44ae426082",
      "hex",
    );
    const media = e2e.discord.addAttachment("lamp.png", "image/png", png);
    const before = await databaseFingerprint(e2e);
    const { reply } = await postCommand("queue", {
      campaign: "Desk Lamps",
      text: "A lamp in the past",
      at: "2020-01-01 10:00",
      media,
    });
    expect(reply).toMatch(/is in the past/);
    expect(await databaseFingerprint(e2e)).toEqual(before);
    const dir = join(dirname(e2e.databaseFile), "media");
    expect(
      existsSync(dir)
        ? readdirSync(dir, { recursive: true }).filter((f) => /\./.test(String(f)))
        : [],
    ).toEqual([]);
  });
});
