import { afterEach, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM, TEAM_X, TEAM_X_KEYS } from "../support/e2e-harness.ts";
import {
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
import type { ApiMessage } from "../support/fake-discord/server.ts";

/** The same X account (same user id) after the team renamed it and made new keys. */
const RENAMED_X = {
  userId: TEAM_X.userId,
  username: "team_deals_new",
  accessToken: "team-renamed-access-token",
} as const;

/** The environment's default account, as the README says to set it: the team's keys. */
const DEFAULT_ACCOUNT_ENV = {
  X_API_KEY: TEAM_X_KEYS.api_key,
  X_API_SECRET: TEAM_X_KEYS.api_secret,
  X_ACCESS_TOKEN: TEAM_X_KEYS.access_token,
  X_ACCESS_SECRET: TEAM_X_KEYS.access_secret,
};

let e2e: E2E;
afterEach(() => finishE2E(e2e));

async function xCommand(
  subcommand: string,
  options: Record<string, OptionValue> = {},
  user: string = TEAM.admin,
): Promise<ApiMessage> {
  const handle = await e2e.discord.runCommand({ user, name: "x", subcommand, options });
  const reply = await handle.reply();
  expect(handle.ephemeral).toBe(true);
  return reply;
}

async function connectWith(keys: Record<string, string>): Promise<string> {
  const opened = await e2e.discord.runCommand({
    user: TEAM.admin,
    name: "x",
    subcommand: "connect",
  });
  const submitted = await e2e.discord.submitModal({
    user: TEAM.admin,
    customId: opened.modal?.customId ?? "",
    fields: keys,
  });
  return (await submitted.reply({ timeoutMs: 10_000 })).content;
}

async function queueApprovedNow(text: string): Promise<number> {
  const { postId, reply } = await queuePost(e2e, { text, at: "now" }, { timeoutMs: 10_000 });
  if (postId === null) throw new Error(`not queued: ${reply}`);
  expect(await approvePost(e2e, postId)).toContain(`Approved post #${postId}`);
  return postId;
}

/** Resolves when the runner has nothing in flight and nothing due (it re-armed its timer). */
function runnerIdle(): Promise<unknown> {
  return new Promise((resolve) => e2e.herald.runner.once("idle", resolve));
}

function approvalChannelSays(pattern: RegExp): ApiMessage[] {
  return e2e.discord
    .channelMessages(TEAM.channels.approvals)
    .filter((message) => pattern.test(message.content));
}

async function askToDisconnect(): Promise<{ question: ApiMessage; confirm: string }> {
  const question = await xCommand("disconnect", { account: TEAM_X.username });
  const confirm = buttonsOf(question)[0]?.id;
  if (confirm === undefined) throw new Error(`no Confirm button: ${question.content}`);
  return { question, confirm };
}

describe("the X_API_* default account", () => {
  it("With X_API_* set and no /x connect, the first approved post of a new campaign is published", async () => {
    e2e = await startE2E({ env: DEFAULT_ACCOUNT_ENV });
    await setUpTeam(e2e);
    const stored = await e2e.herald.defaultAccount?.stored;
    expect(stored?.handle).toBe(TEAM_X.username);

    expect(await createCampaign(e2e)).not.toMatch(/No X account/);
    const published = new Promise<string>((resolve) =>
      e2e.herald.runner.once("post.published", ({ xPostId }) => resolve(xPostId)),
    );
    const postId = await queueApprovedNow("A lamp that clips to any shelf");

    const xPostId = await published;
    expect(e2e.fakeX.posts.map((post) => [post.id, post.authorId])).toEqual([
      [xPostId, TEAM_X.userId],
    ]);
    expect((await e2e.herald.posts.get(postId)).status).toBe("published");
  });

  it("given X unreachable at start, Herald starts, stores the account on a later try and gives it to the campaign created meanwhile, with an audit event", async () => {
    e2e = await startE2E({
      env: DEFAULT_ACCOUNT_ENV,
      beforeStart: (fakeX) => fakeX.fail("GET /2/users/me", { kind: "status", status: 503 }),
    });
    await setUpTeam(e2e);
    expect(await createCampaign(e2e)).toMatch(/No X account yet/);

    await e2e.herald.defaultAccount?.stored;

    expect(e2e.fakeX.requestCount("GET /2/users/me")).toBe(2);
    const campaign = await e2e.herald.campaigns.get(TEAM.guildId, "Desk Lamps");
    expect(campaign.xAccountId).not.toBeNull();
    const audit = await e2e.herald.prisma.auditEvent.findMany({
      where: { action: "campaign.account_adopted", targetId: String(campaign.id) },
    });
    expect(audit).toHaveLength(1);
  });

  it("given the default account disconnected with /x disconnect, a restart leaves it disconnected", async () => {
    e2e = await startE2E({ env: DEFAULT_ACCOUNT_ENV });
    await setUpTeam(e2e);
    await e2e.herald.defaultAccount?.stored;
    expect((await xCommand("accounts")).content).toMatch(
      /^@team_deals \(default, from X_API_\*\) · active · /,
    );
    const { question, confirm } = await askToDisconnect();
    await (
      await e2e.discord.pressButton({ user: TEAM.admin, message: question, customId: confirm })
    ).reply();
    const verifications = e2e.fakeX.requestCount("GET /2/users/me");

    await e2e.restart();
    // Start does not wait for X; stop() waits for the attempt start began.
    await e2e.herald.defaultAccount?.stop();

    expect(e2e.fakeX.requestCount("GET /2/users/me")).toBe(verifications + 1);
    expect((await e2e.herald.prisma.xAccount.findFirstOrThrow()).status).toBe("disconnected");
  });
});

describe("/x connect for an account Herald knows", () => {
  it("given the same X user id under a new handle, says Reconnected, updates the handle and keeps one account", async () => {
    e2e = await startE2E({ xAccounts: [RENAMED_X] });
    await setUpTeam(e2e);
    expect(await connectTeamAccount(e2e)).toMatch(/^Connected @team_deals\./);

    const again = await connectWith({ ...TEAM_X_KEYS, access_token: RENAMED_X.accessToken });

    expect(again).toMatch(/^Reconnected @team_deals_new\./);
    const accounts = await e2e.herald.prisma.xAccount.findMany();
    expect(accounts.map((a) => [a.xUserId, a.handle, a.status])).toEqual([
      [TEAM_X.userId, "team_deals_new", "active"],
    ]);
  });
});

describe("/x disconnect", () => {
  it("given Confirm, holds the campaign's posts, tells the approval channel once, and /x connect ends the hold", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);

    const { question, confirm } = await askToDisconnect();
    expect(question.content).toContain("Campaigns on it: **Desk Lamps**");
    const press = await e2e.discord.pressButton({
      user: TEAM.admin,
      message: question,
      customId: confirm,
    });
    expect((await press.reply()).content).toMatch(/^Disconnected @team_deals\./);
    expect((await e2e.herald.prisma.xAccount.findFirstOrThrow()).status).toBe("disconnected");

    const idle = runnerIdle();
    const postId = await queueApprovedNow("Held while the account is off");
    await idle;
    expect(e2e.fakeX.posts).toHaveLength(0);
    expect((await e2e.herald.posts.get(postId)).status).toBe("approved");
    expect(approvalChannelSays(/^@team_deals was disconnected/)).toHaveLength(1);

    const published = new Promise<void>((resolve) =>
      e2e.herald.runner.once("post.published", () => resolve()),
    );
    expect(await connectTeamAccount(e2e)).toMatch(/^Reconnected @team_deals\./);
    await published;
    expect((await e2e.herald.posts.get(postId)).status).toBe("published");
  });

  it("given Confirm pressed twice, the second press says so and changes nothing", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    const { question, confirm } = await askToDisconnect();
    const first = await e2e.discord.pressButton({
      user: TEAM.admin,
      message: question,
      customId: confirm,
    });
    await first.reply();

    const before = await databaseFingerprint(e2e);
    const second = await e2e.discord.pressButton({
      user: TEAM.admin,
      message: question,
      customId: confirm,
    });
    expect(second.ephemeral).toBe(true);
    expect((await second.reply()).content).toMatch(/^@team_deals is already disconnected/);
    expect(await databaseFingerprint(e2e)).toEqual(before);
    expect(approvalChannelSays(/was disconnected/)).toHaveLength(1);
  });

  it("given the member lost Manage Server after asking, the Confirm press is refused and changes nothing", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    e2e.discord.setMemberRoles(TEAM.guildId, TEAM.manager, [
      TEAM.roles.content,
      TEAM.roles.managers,
    ]);
    const question = await xCommand("disconnect", { account: TEAM_X.username }, TEAM.manager);
    const confirm = buttonsOf(question)[0]?.id ?? "";
    e2e.discord.setMemberRoles(TEAM.guildId, TEAM.manager, [TEAM.roles.content]);

    const before = await databaseFingerprint(e2e);
    const press = await e2e.discord.pressButton({
      user: TEAM.manager,
      message: question,
      customId: confirm,
    });
    expect(press.ephemeral).toBe(true);
    expect((await press.reply()).content).toMatch(
      /^You need the Manage Server permission to disconnect X accounts\./,
    );
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });

  it("given an unknown account, refuses privately and changes nothing", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    const before = await databaseFingerprint(e2e);
    const reply = await xCommand("disconnect", { account: "@nobody_here" });
    expect(reply.content).toMatch(/^No X account @nobody_here is connected/);
    expect(buttonsOf(reply)).toEqual([]);
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });
});

describe("account autocomplete", () => {
  it("offers the connected accounts matching what was typed on /x disconnect and /x budget", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    for (const subcommand of ["disconnect", "budget"]) {
      const handle = await e2e.discord.autocomplete({
        user: TEAM.admin,
        name: "x",
        subcommand,
        options: { account: "DEAL" },
        focused: "account",
      });
      expect(handle.choices).toEqual([{ name: "@team_deals", value: "team_deals" }]);
    }
  });
});

describe("/x budget", () => {
  it("given bad values, refuses each with a reason and changes nothing", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    const before = await databaseFingerprint(e2e);
    const cases: [Record<string, OptionValue>, RegExp][] = [
      [{ account: TEAM_X.username }, /^Nothing to change/],
      [{ account: TEAM_X.username, per_24h: 0 }, /^per_24h must be a whole number of 1 or more/],
      [{ account: TEAM_X.username, per_24h: 2401 }, /^per_24h can be at most 2400/],
      [{ account: TEAM_X.username, per_15min: 201 }, /^per_15min can be at most 200/],
      [{ account: "nobody_here", per_24h: 5 }, /^No X account @nobody_here is connected/],
    ];
    for (const [options, refusal] of cases) {
      expect((await xCommand("budget", options)).content).toMatch(refusal);
    }
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });

  it("given per_24h, stores it and /x accounts shows which budget is set and which is the default", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    const set = await xCommand("budget", { account: "@Team_Deals", per_24h: 17 });
    expect(set.content).toBe(
      "Budget of @team_deals: 17 per 24 h (set) · 100 per 15 min (default) · metrics read with post lookups ($0.005 a post).",
    );
    expect((await xCommand("accounts")).content).toBe(
      "@team_deals · active · 17 per 24 h (set) · 100 per 15 min (default)",
    );
    const owns = await xCommand("budget", { account: "team_deals", owns_app: true });
    expect(owns.content).toBe(
      "Budget of @team_deals: 17 per 24 h (set) · 100 per 15 min (default) · metrics read through its own timeline ($0.001 a post).",
    );
    expect((await xCommand("accounts")).content).toContain("· owns the app");
  });

  it("given per_15min 1 and three posts due, publishes one and tells the approval channel once until when the others wait", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
    await xCommand("budget", { account: TEAM_X.username, per_15min: 1 });

    const first = new Promise<void>((resolve) =>
      e2e.herald.runner.once("post.published", () => resolve()),
    );
    await queueApprovedNow("First lamp of the morning");
    await first;
    await queueApprovedNow("Second lamp, held by the budget");
    const idle = runnerIdle();
    await queueApprovedNow("Third lamp, held by the same hold");
    await idle;

    expect(e2e.fakeX.posts).toHaveLength(1);
    const notices = approvalChannelSays(
      /^Posts of @team_deals are held until <t:\d+:f> \(<t:\d+:R>\)/,
    );
    expect(notices).toHaveLength(1);
    expect(notices[0]?.content).toContain("posting budget is used up");
  });

  it("given X answering 429 with reset headers to several posts at once, tells the approval channel once", async () => {
    e2e = await startE2E();
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e);
    // Disconnected, the account's approved posts pile up; reconnecting sends them together.
    const { question, confirm } = await askToDisconnect();
    await (
      await e2e.discord.pressButton({ user: TEAM.admin, message: question, customId: confirm })
    ).reply();
    for (const text of ["Lamp one", "Lamp two", "Lamp three"]) await queueApprovedNow(text);
    e2e.fakeX.fail("POST /2/tweets", { kind: "rate_limited", resetInSeconds: 600 }, 3);

    const notice = e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (message) =>
      message.content.startsWith("Posts of @team_deals are held until"),
    );
    await connectTeamAccount(e2e);
    await notice;
    await runnerIdle();

    expect(e2e.fakeX.requestCount("POST /2/tweets")).toBe(3);
    const notices = approvalChannelSays(/^Posts of @team_deals are held until/);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.content).toContain("X's rate limit");
    const until = Number(/<t:(\d+):R>/.exec(notices[0]?.content ?? "")?.[1]);
    expect(until * 1000).toBeGreaterThan(Date.now() + 500_000);
  });
});
