import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  approvalMessageOf,
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  databaseFingerprint,
  embedField,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E();
  await setUpTeam(e2e);
  await connectTeamAccount(e2e);
  await createCampaign(e2e, { link: "https://shop.example.com/lamps" });
});
afterEach(() => finishE2E(e2e));

describe("Discord restarts, reconnects, deleted channels and other guilds", () => {
  it("given the service restarts between queueing and approving, the buttons on the old approval message still work", async () => {
    const { postId } = await queuePost(e2e, { text: "Reading light with a long arm", at: "next" });
    if (postId === null) throw new Error("the post was not queued");
    const message = await approvalMessageOf(e2e, postId);

    await e2e.restart();
    // The new process logged in again and registered its commands once more.
    expect(e2e.discord.gatewayConnections.filter((c) => c.start === "identify")).toHaveLength(2);

    // Two approvers press Approve at the same moment: both see the button still enabled.
    const presses = await Promise.all(
      [TEAM.approver, TEAM.admin].map((user) =>
        e2e.discord.pressButton({ user, message, customId: `post:approve:${postId}` }),
      ),
    );
    const replies = await Promise.all(presses.map(async (press) => (await press.reply()).content));
    expect(presses.every((press) => press.ephemeral)).toBe(true);
    expect(replies.filter((reply) => reply.startsWith(`Approved post #${postId}.`))).toHaveLength(
      1,
    );
    expect(replies.filter((reply) => /cannot be approved/.test(reply))).toHaveLength(1);
    expect((await e2e.herald.posts.get(postId)).status).toBe("approved");

    const updated = await e2e.discord.waitForChannelMessage(
      TEAM.channels.approvals,
      (m) => m.id === message.id && embedField(m, "Status") === "Approved",
    );
    expect(embedField(updated, "Decision")).toMatch(/^Approved by <@\d+> on <t:\d+:f>$/);
    // Decided: no second approval, but the approved post can still be edited or moved.
    expect(buttonsOf(updated)).toEqual([
      { id: `post:approve:${postId}`, disabled: true },
      { id: `post:reject:${postId}`, disabled: true },
      { id: `post:edit:${postId}`, disabled: false },
      { id: `post:reschedule:${postId}`, disabled: false },
    ]);
  });

  it("given Discord asks the bot to reconnect, it resumes its session and keeps answering", async () => {
    e2e.discord.requestReconnect();
    await expect
      .poll(() => e2e.discord.gatewayConnections.map((connection) => connection.start))
      .toEqual(["identify", "resume"]);
    const handle = await e2e.discord.runCommand({
      user: TEAM.member,
      name: "campaign",
      subcommand: "list",
    });
    expect((await handle.reply()).content).toContain("Desk Lamps");
  });

  it("given the approval channel was deleted, keeps the queued post and shows it once an admin sets a new channel", async () => {
    e2e.discord.deleteChannel(TEAM.channels.approvals);
    const { reply, postId } = await queuePost(e2e, { text: "Lamp for a tiny desk", at: "next" });
    expect(reply).toContain("could not post it in the approval channel");
    if (postId === null) throw new Error(`not queued: ${reply}`);
    expect((await e2e.herald.posts.get(postId)).status).toBe("pending_approval");

    const set = await e2e.discord.runCommand({
      user: TEAM.admin,
      name: "settings",
      subcommand: "set",
      options: { approval_channel: TEAM.channels.general },
    });
    expect((await set.reply()).content).toContain(
      "1 post(s) waiting for approval are being posted there.",
    );
    const shown = await e2e.discord.waitForChannelMessage(TEAM.channels.general, (message) =>
      buttonsOf(message).some((button) => button.id === `post:approve:${postId}`),
    );
    expect(embedField(shown, "Status")).toBe("Waiting for approval");
  });

  it("given a command from another guild, refuses it privately and writes nothing", async () => {
    // The commands were once registered in another server (say, before DISCORD_GUILD_ID changed).
    const registered = e2e.discord.commandRegistrations.at(-1)?.commands ?? [];
    const response = await fetch(
      `${e2e.discord.apiBase}/v10/applications/${TEAM.applicationId}/guilds/${TEAM.otherGuildId}/commands`,
      {
        method: "PUT",
        headers: { authorization: `Bot ${TEAM.token}`, "content-type": "application/json" },
        body: JSON.stringify(
          registered.map(({ name, description, options, default_member_permissions }) => ({
            name,
            description,
            options,
            default_member_permissions,
          })),
        ),
      },
    );
    expect(response.status).toBe(200);
    const before = await databaseFingerprint(e2e);

    const handle = await e2e.discord.runCommand({
      user: TEAM.admin,
      guildId: TEAM.otherGuildId,
      name: "campaign",
      subcommand: "create",
      options: { name: "Elsewhere", niche: "garden", times: "10:00" },
    });
    expect(handle.ephemeral).toBe(true);
    expect((await handle.reply()).content).toBe(
      "Herald only works in the server it was set up for.",
    );
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });
});
