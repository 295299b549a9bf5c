import { InteractionResponseType } from "discord.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type E2E, startE2E, TEAM, TEAM_X } from "../support/e2e-harness.ts";
import {
  approvalMessageOf,
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { OptionValue } from "../support/fake-discord/command-options.ts";

const PEOPLE = {
  admin: TEAM.admin,
  manager: TEAM.manager,
  approver: TEAM.approver,
  member: TEAM.member,
};
type Who = keyof typeof PEOPLE;
type Outcome = "allowed" | "refused";

const EVERYONE: Record<Who, Outcome> = {
  admin: "allowed",
  manager: "allowed",
  approver: "allowed",
  member: "allowed",
};
const MANAGERS: Record<Who, Outcome> = {
  admin: "allowed",
  manager: "allowed",
  approver: "refused",
  member: "refused",
};
const APPROVERS: Record<Who, Outcome> = {
  admin: "allowed",
  manager: "refused",
  approver: "allowed",
  member: "refused",
};
const ADMINS: Record<Who, Outcome> = {
  admin: "allowed",
  manager: "refused",
  approver: "refused",
  member: "refused",
};

interface CommandCase {
  name: string;
  subcommand?: string;
  /** The options, or a function making them once the fakes run (an attachment needs the CDN). */
  options?: Record<string, OptionValue> | ((e2e: E2E) => Record<string, OptionValue>);
  who: Record<Who, Outcome>;
}

const LIBRARY_FILE = "text,tags\nA lamp for the import matrix,lamps\n";

/** design.md section 5: who may run what. Options are valid, so only the role decides. */
const COMMANDS: CommandCase[] = [
  {
    name: "campaign",
    subcommand: "create",
    options: { name: "Garden Tools", niche: "garden", times: "10:00" },
    who: MANAGERS,
  },
  {
    name: "campaign",
    subcommand: "edit",
    options: { campaign: "Desk Lamps", epc: 0.3 },
    who: MANAGERS,
  },
  { name: "campaign", subcommand: "list", who: EVERYONE },
  { name: "campaign", subcommand: "show", options: { campaign: "Desk Lamps" }, who: EVERYONE },
  { name: "campaign", subcommand: "pause", options: { campaign: "Desk Lamps" }, who: MANAGERS },
  { name: "campaign", subcommand: "resume", options: { campaign: "Desk Lamps" }, who: MANAGERS },
  { name: "campaign", subcommand: "archive", options: { campaign: "Spare" }, who: MANAGERS },
  {
    name: "post",
    subcommand: "queue",
    options: { campaign: "Desk Lamps", text: "Clip-on lamp", at: "next" },
    who: MANAGERS,
  },
  { name: "post", subcommand: "list", who: EVERYONE },
  {
    name: "post",
    subcommand: "edit",
    options: { post: 1, text: "A brighter lamp" },
    who: MANAGERS,
  },
  {
    name: "post",
    subcommand: "edit",
    options: { post: 1, link: "https://shop.example.com/brighter" },
    who: MANAGERS,
  },
  {
    name: "post",
    subcommand: "reschedule",
    options: { post: 1, at: "next" },
    who: MANAGERS,
  },
  {
    name: "post",
    subcommand: "queue",
    options: { campaign: "Desk Lamps" },
    who: MANAGERS,
  },
  { name: "post", subcommand: "cancel", options: { post: 1 }, who: MANAGERS },
  {
    name: "campaign",
    subcommand: "autopilot",
    options: { campaign: "Desk Lamps", enabled: true },
    who: MANAGERS,
  },
  {
    name: "content",
    subcommand: "add",
    options: { campaign: "Desk Lamps", text: "A lamp for the permission matrix" },
    who: MANAGERS,
  },
  { name: "content", subcommand: "add", options: { campaign: "Desk Lamps" }, who: MANAGERS },
  { name: "content", subcommand: "list", options: { campaign: "Desk Lamps" }, who: EVERYONE },
  { name: "content", subcommand: "show", options: { item: 1 }, who: EVERYONE },
  { name: "content", subcommand: "edit", options: { item: 1, tags: "lamps" }, who: MANAGERS },
  {
    name: "content",
    subcommand: "import",
    options: (e2e) => ({
      campaign: "Desk Lamps",
      file: e2e.discord.addAttachment("lamps.csv", "text/csv", Buffer.from(LIBRARY_FILE)),
    }),
    who: MANAGERS,
  },
  { name: "content", subcommand: "export", options: { campaign: "Desk Lamps" }, who: MANAGERS },
  { name: "content", subcommand: "remove", options: { item: 1 }, who: MANAGERS },
  { name: "report", who: EVERYONE },
  {
    name: "experiment",
    subcommand: "create",
    options: { campaign: "Desk Lamps" },
    who: MANAGERS,
  },
  { name: "experiment", subcommand: "list", who: EVERYONE },
  { name: "experiment", subcommand: "show", options: { experiment: 1 }, who: EVERYONE },
  { name: "experiment", subcommand: "stop", options: { experiment: 1 }, who: MANAGERS },
  { name: "x", subcommand: "connect", who: ADMINS },
  { name: "x", subcommand: "accounts", who: ADMINS },
  { name: "x", subcommand: "disconnect", options: { account: TEAM_X.username }, who: ADMINS },
  {
    name: "x",
    subcommand: "budget",
    options: { account: TEAM_X.username, per_24h: 50, owns_app: false },
    who: ADMINS,
  },
  { name: "settings", subcommand: "show", who: ADMINS },
  { name: "settings", subcommand: "set", options: { timezone: "Europe/Berlin" }, who: ADMINS },
];

const BUTTONS = ["approve", "reject", "edit", "reschedule"] as const;

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
  await setUpTeam(e2e);
  await connectTeamAccount(e2e);
  await createCampaign(e2e);
  await createCampaign(e2e, { name: "Spare" });
});
afterAll(() => finishE2E(e2e));

/** A role refusal is private and names the missing role; Discord hiding the command is one too. */
async function outcomeOfCommand(command: CommandCase, who: Who): Promise<Outcome> {
  let handle: Awaited<ReturnType<E2E["discord"]["runCommand"]>>;
  try {
    const options = typeof command.options === "function" ? command.options(e2e) : command.options;
    handle = await e2e.discord.runCommand({ user: PEOPLE[who], ...command, options });
  } catch (error) {
    if (/Discord hides/.test(String(error))) return "refused";
    throw error;
  }
  if (handle.type === InteractionResponseType.Modal) return "allowed";
  const reply = await handle.reply();
  expect(handle.ephemeral).toBe(true);
  return /^You need the /.test(reply.content) ? "refused" : "allowed";
}

async function outcomeOfButton(action: (typeof BUTTONS)[number], who: Who): Promise<Outcome> {
  const { postId } = await queuePost(e2e, {
    text: `Lamp note for ${action} by ${who}`,
    at: "next",
  });
  if (postId === null) throw new Error("the post was not queued");
  const message = await approvalMessageOf(e2e, postId);
  const before = await e2e.herald.posts.get(postId);
  const press = await e2e.discord.pressButton({
    user: PEOPLE[who],
    message,
    customId: `post:${action}:${postId}`,
  });
  if (press.type === InteractionResponseType.Modal) return "allowed";
  const reply = await press.reply();
  expect(press.ephemeral).toBe(true);
  if (!/^You need the approver role/.test(reply.content)) return "allowed";
  expect(await e2e.herald.posts.get(postId)).toEqual(before);
  return "refused";
}

/**
 * Asks to archive a campaign of its own and presses Confirm. Discord shows the button only to
 * the member who asked, so a member refused the command never sees it (the press-time check for
 * a member who lost the role is in campaign-changes.test.ts).
 */
async function outcomeOfArchiveConfirm(who: Who): Promise<Outcome> {
  const name = `Archived by ${who}`;
  await createCampaign(e2e, { name });
  const asked = await e2e.discord.runCommand({
    user: PEOPLE[who],
    name: "campaign",
    subcommand: "archive",
    options: { campaign: name },
  });
  const question = await asked.reply();
  expect(asked.ephemeral).toBe(true);
  const confirm = buttonsOf(question)[0]?.id;
  const status = async () => (await e2e.herald.campaigns.get(TEAM.guildId, name)).status;
  if (confirm === undefined) {
    expect(question.content).toMatch(/^You need the /);
    expect(await status()).toBe("active");
    return "refused";
  }
  const press = await e2e.discord.pressButton({
    user: PEOPLE[who],
    message: question,
    customId: confirm,
  });
  const reply = await press.reply();
  expect(press.ephemeral).toBe(true);
  if (!/^You need the /.test(reply.content)) return "allowed";
  expect(await status()).toBe("active");
  return "refused";
}

describe("permission matrix", () => {
  it("allows each command only to the roles design.md names, and refuses the others privately", async () => {
    const actual: Record<string, Record<Who, Outcome>> = {};
    const expected: Record<string, Record<Who, Outcome>> = {};
    for (const command of COMMANDS) {
      const label = `/${command.name}${command.subcommand ? ` ${command.subcommand}` : ""}`;
      expected[label] = command.who;
      const row = {} as Record<Who, Outcome>;
      for (const who of Object.keys(PEOPLE) as Who[])
        row[who] = await outcomeOfCommand(command, who);
      actual[label] = row;
    }
    expect(actual).toEqual(expected);
  });

  it("lets only approvers (and admins) press the approval buttons; a refused press changes nothing", async () => {
    const actual: Record<string, Record<Who, Outcome>> = {};
    const expected: Record<string, Record<Who, Outcome>> = {};
    for (const action of BUTTONS) {
      expected[action] = APPROVERS;
      const row = {} as Record<Who, Outcome>;
      for (const who of Object.keys(PEOPLE) as Who[]) row[who] = await outcomeOfButton(action, who);
      actual[action] = row;
    }
    expect(actual).toEqual(expected);
  });

  it("lets only content managers (and admins) archive through the Confirm button", async () => {
    const actual = {} as Record<Who, Outcome>;
    for (const who of Object.keys(PEOPLE) as Who[])
      actual[who] = await outcomeOfArchiveConfirm(who);
    expect(actual).toEqual(MANAGERS);
  });

  it("lets only admins disconnect an X account through the Confirm button", async () => {
    const actual = {} as Record<Who, Outcome>;
    for (const who of Object.keys(PEOPLE) as Who[])
      actual[who] = await outcomeOfDisconnectConfirm(who);
    expect(actual).toEqual(ADMINS);
  });
});

/** Asks to disconnect the team's account and presses Confirm; an allowed one reconnects it. */
async function outcomeOfDisconnectConfirm(who: Who): Promise<Outcome> {
  const asked = await e2e.discord
    .runCommand({
      user: PEOPLE[who],
      name: "x",
      subcommand: "disconnect",
      options: { account: TEAM_X.username },
    })
    .catch((error: unknown) => {
      if (/Discord hides/.test(String(error))) return null;
      throw error;
    });
  const status = async () => (await e2e.herald.prisma.xAccount.findFirstOrThrow()).status;
  if (asked === null) {
    expect(await status()).toBe("active");
    return "refused";
  }
  const question = await asked.reply();
  expect(asked.ephemeral).toBe(true);
  const confirm = buttonsOf(question)[0]?.id;
  if (confirm === undefined) {
    expect(question.content).toMatch(/^You need the /);
    expect(await status()).toBe("active");
    return "refused";
  }
  const press = await e2e.discord.pressButton({
    user: PEOPLE[who],
    message: question,
    customId: confirm,
  });
  const reply = await press.reply();
  expect(press.ephemeral).toBe(true);
  if (/^You need the /.test(reply.content)) {
    expect(await status()).toBe("active");
    return "refused";
  }
  expect(await status()).toBe("disconnected");
  await connectTeamAccount(e2e);
  return "allowed";
}
