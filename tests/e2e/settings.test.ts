import { afterEach, describe, expect, it } from "vitest";
import type { Post } from "../../src/domain/posts.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  approvePost,
  connectTeamAccount,
  createCampaign,
  databaseFingerprint,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { OptionValue } from "../support/fake-discord/command-options.ts";
import { FixedClock } from "../support/fixed-clock.ts";

let e2e: E2E;
afterEach(() => finishE2E(e2e));

/** The admin runs /settings set (or show, without options); returns the private answer. */
async function settings(options?: Readonly<Record<string, OptionValue>>): Promise<string> {
  const handle = await e2e.discord.runCommand({
    user: TEAM.admin,
    name: "settings",
    subcommand: options === undefined ? "show" : "set",
    ...(options === undefined ? {} : { options }),
  });
  expect(handle.ephemeral).toBe(true);
  return (await handle.reply()).content;
}

function stored() {
  return e2e.herald.prisma.settings.findUniqueOrThrow({ where: { guildId: TEAM.guildId } });
}

describe("/settings, end to end", () => {
  it("given the grace window, the second-approver switch and clear, saves, shows and unsets each", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    const before = await settings();
    expect(before).toContain("Late posts: sent within the server's default grace window");
    expect(before).toContain("Second approver: not required");

    const saved = await settings({ late_grace_minutes: 45, require_second_approver: true });
    expect(saved).toMatch(/^Saved\./);
    expect(saved).toContain("Late posts: sent up to 45 minute(s) late");
    expect(saved).toContain("Second approver: required");
    expect(await stored()).toMatchObject({ lateGraceMinutes: 45, requireSecondApprover: true });
    expect(await settings()).toContain("sent up to 45 minute(s) late");

    expect(await settings({ late_grace_minutes: 0 })).toContain("sent up to 0 minute(s) late");
    expect(await settings({ require_second_approver: false })).toContain(
      "Second approver: not required",
    );
    expect(await settings({ clear: "late_grace_minutes" })).toContain(
      "server's default grace window",
    );
    expect(await stored()).toMatchObject({ lateGraceMinutes: null, requireSecondApprover: false });

    const cleared: [string, string, string][] = [
      ["approval_channel", "approvalChannelId", "Approval channel: not set"],
      ["report_channel", "reportChannelId", "Report channel: not set"],
      ["approver_role", "approverRoleId", "Approver role: not set"],
      ["manager_role", "managerRoleId", "Manager role: not set"],
    ];
    for (const [choice, field, shown] of cleared) {
      expect(await settings({ clear: choice })).toContain(shown);
      expect((await stored())[field as keyof Awaited<ReturnType<typeof stored>>]).toBeNull();
    }
    // Clearing keeps the rest; a channel is set again as before.
    expect(await settings({ approval_channel: TEAM.channels.approvals })).toContain(
      `Approval channel: <#${TEAM.channels.approvals}>`,
    );
    expect(await stored()).toMatchObject({ timezone: "Europe/Berlin" });
  });

  it("given the same setting set and cleared at once, or a grace window out of range, answers privately and changes nothing", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await settings({ late_grace_minutes: 30 });
    const before = await databaseFingerprint(e2e);

    for (const [given, setting] of [
      [{ late_grace_minutes: 90, clear: "late_grace_minutes" }, "late_grace_minutes"],
      [{ approval_channel: TEAM.channels.general, clear: "approval_channel" }, "approval_channel"],
      [{ approver_role: TEAM.roles.content, clear: "approver_role" }, "approver_role"],
    ] as const) {
      const reply = await settings(given);
      expect(reply, setting).toBe(
        "The same setting cannot be set and cleared in one command: give either its value or clear, not both.",
      );
    }
    // Discord's own client refuses a value outside the registered range; Herald checks it again.
    for (const minutes of [-1, 1441]) {
      await expect(settings({ late_grace_minutes: minutes })).rejects.toThrow(
        /Discord would not send \/settings set: .*late_grace_minutes.* 0–1440/,
      );
    }
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });
});

/**
 * Resolves once the restarted runner published the post. The start publishes due posts while the
 * bot logs in, so the notice in Discord is not the signal (the runner starts before the bot).
 */
/** Waits until the runner that just started has published the post, or marked it missed. */
async function settledAfterStart(postId: number, outcome: "published" | "missed"): Promise<void> {
  const { runner, posts } = e2e.herald;
  const settled = new Promise<void>((resolve) => {
    const settle = ({ post }: { post: Post }) => {
      if (post.id === postId) resolve();
    };
    if (outcome === "published") runner.on("post.published", settle);
    else runner.on("post.missed", settle);
  });
  if ((await posts.get(postId)).status !== outcome) await settled;
}

describe("the grace window from /settings, end to end", () => {
  it("given Herald down past an approved post's time, publishes it on start within the guild's window and marks it missed beyond it, whatever HERALD_LATE_GRACE_MINUTES (15) says", async () => {
    // Monday 2026-12-07, 08:00 in Berlin.
    const clock = new FixedClock(new Date("2026-12-07T07:00:00Z"));
    e2e = await startE2E({ clock });
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);

    // 60 minutes allowed: a post 30 minutes late goes out (the environment's 15 would miss it).
    await settings({ late_grace_minutes: 60 });
    const early = await queuePost(e2e, { text: "Morning lamp deal", at: "2026-12-07 10:00" });
    if (early.postId === null) throw new Error(early.reply);
    expect(await approvePost(e2e, early.postId)).toContain(`Approved post #${early.postId}`);
    await e2e.herald.stop();
    clock.set("2026-12-07T09:30:00Z");
    await e2e.restart();
    await settledAfterStart(early.postId, "published");
    expect((await e2e.herald.posts.get(early.postId)).status).toBe("published");

    // 5 minutes allowed: a post 10 minutes late is missed (the environment's 15 would send it).
    await settings({ late_grace_minutes: 5 });
    const late = await queuePost(e2e, { text: "Noon lamp deal", at: "2026-12-07 11:00" });
    if (late.postId === null) throw new Error(late.reply);
    await approvePost(e2e, late.postId);
    await e2e.herald.stop();
    clock.set("2026-12-07T10:10:00Z");
    await e2e.restart();
    await settledAfterStart(late.postId, "missed");
    expect((await e2e.herald.posts.get(late.postId)).status).toBe("missed");
    expect(e2e.fakeX.posts.map((post) => post.text)).toEqual([
      expect.stringContaining("Morning lamp deal"),
    ]);
  });
});
