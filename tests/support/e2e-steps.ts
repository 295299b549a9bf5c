import { once } from "node:events";
import Database from "better-sqlite3";
import { ComponentType } from "discord.js";
import { expect } from "vitest";
import { type E2E, TEAM, TEAM_X_KEYS } from "./e2e-harness.ts";
import type { OptionValue } from "./fake-discord/command-options.ts";
import type { ApiMessage, InteractionHandle, ReplyOptions } from "./fake-discord/server.ts";

/** Steps a team takes through Discord, shared by the end-to-end stories. */

/** The admin points Herald at the team's channels and roles. */
export async function setUpTeam(e2e: E2E): Promise<void> {
  const handle = await e2e.discord.runCommand({
    user: TEAM.admin,
    name: "settings",
    subcommand: "set",
    options: {
      approval_channel: TEAM.channels.approvals,
      report_channel: TEAM.channels.reports,
      approver_role: TEAM.roles.approvers,
      manager_role: TEAM.roles.content,
      timezone: "Europe/Berlin",
    },
  });
  const reply = await handle.reply();
  if (!reply.content.startsWith("Saved.")) throw new Error(`settings refused: ${reply.content}`);
}

/** The admin connects the team's X account through the /x connect form; returns Herald's answer. */
export async function connectTeamAccount(e2e: E2E): Promise<string> {
  const opened = await e2e.discord.runCommand({
    user: TEAM.admin,
    name: "x",
    subcommand: "connect",
  });
  const customId = opened.modal?.customId;
  if (customId === undefined) throw new Error("/x connect did not open a form");
  const submitted = await e2e.discord.submitModal({
    user: TEAM.admin,
    customId,
    fields: TEAM_X_KEYS,
  });
  return (await submitted.reply({ timeoutMs: 10_000 })).content;
}

/** The manager creates the "Desk Lamps" campaign in Berlin time. */
export async function createCampaign(
  e2e: E2E,
  extra: Readonly<Record<string, string | number | boolean>> = {},
): Promise<string> {
  const handle = await e2e.discord.runCommand({
    user: TEAM.manager,
    name: "campaign",
    subcommand: "create",
    options: {
      name: "Desk Lamps",
      niche: "Home Office",
      times: "09:00,15:00,21:00",
      timezone: "Europe/Berlin",
      ...extra,
    },
  });
  return (await handle.reply()).content;
}

export interface QueuedPost {
  handle: InteractionHandle;
  /** Herald's answer, as the manager sees it. */
  reply: string;
  /** The new post's id; null when Herald refused to queue it. */
  postId: number | null;
}

/** The manager runs /post queue, for "Desk Lamps" unless `options` names another campaign. */
export async function queuePost(
  e2e: E2E,
  options: Readonly<Record<string, OptionValue>>,
  replyOptions: ReplyOptions = {},
): Promise<QueuedPost> {
  const handle = await e2e.discord.runCommand({
    user: TEAM.manager,
    name: "post",
    subcommand: "queue",
    options: { campaign: "Desk Lamps", ...options },
  });
  const reply = (await handle.reply(replyOptions)).content;
  const id = /^Queued post #(\d+)/.exec(reply)?.[1];
  return { handle, reply, postId: id === undefined ? null : Number(id) };
}

/**
 * The approver presses Approve on the post's approval message, once it offers the button (the
 * message follows each change through the outbox); returns Herald's answer.
 */
export async function approvePost(e2e: E2E, postId: number): Promise<string> {
  const customId = `post:approve:${postId}`;
  const message = await e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (m) =>
    buttonsOf(m).some((button) => button.id === customId && !button.disabled),
  );
  const press = await e2e.discord.pressButton({ user: TEAM.approver, message, customId });
  return (await press.reply()).content;
}

/**
 * The checks every end-to-end test ends with, then the teardown: each interaction got its first
 * answer within Discord's 3 seconds, and Herald called no route Discord does not serve.
 */
export async function finishE2E(e2e: E2E): Promise<void> {
  try {
    expect(e2e.discord.interactionsAnsweredLate()).toEqual([]);
    expect(e2e.discord.unknownRoutes).toEqual([]);
  } finally {
    await e2e.close();
  }
}

/** The message in the approval channel that shows the post (waits for it to arrive). */
export async function approvalMessageOf(e2e: E2E, postId: number): Promise<ApiMessage> {
  return e2e.discord.waitForChannelMessage(TEAM.channels.approvals, (message) =>
    buttonsOf(message).some((button) => button.id === `post:approve:${postId}`),
  );
}

interface EmbedShape {
  fields?: { name: string; value: string }[];
}

/** The value of an embed field of the message's first embed. */
export function embedField(message: ApiMessage, name: string): string | undefined {
  const embed = message.embeds[0] as EmbedShape | undefined;
  return embed?.fields?.find((field) => field.name === name)?.value;
}

interface ComponentShape {
  type: number;
  custom_id?: string;
  disabled?: boolean;
  components?: ComponentShape[];
}

/** The message's buttons, in order, with whether each can still be pressed. */
export function buttonsOf(message: ApiMessage): { id: string; disabled: boolean }[] {
  const rows = message.components as ComponentShape[];
  return rows
    .flatMap((row) => row.components ?? [])
    .filter((component) => component.type === ComponentType.Button)
    .map((button) => ({ id: button.custom_id ?? "", disabled: button.disabled === true }));
}

/**
 * Waits until the outbox has tried every row due now, so what earlier steps wrote (approval
 * messages, notices) has been delivered or scheduled for a retry.
 */
export async function outboxSettled(e2e: E2E): Promise<void> {
  const idle = once(e2e.herald.outbox, "idle");
  e2e.herald.outbox.wake();
  await idle;
}

/**
 * Every row of every table of Herald's database, as one comparable value: equal before and after
 * an interaction means the interaction wrote nothing. Taken once the outbox has settled, so the
 * delivery of earlier steps' messages is not mistaken for the interaction's writes.
 */
export async function databaseFingerprint(e2e: E2E): Promise<Record<string, unknown[]>> {
  await outboxSettled(e2e);
  const db = new Database(e2e.databaseFile, { readonly: true });
  try {
    const tables = db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      )
      .all() as { name: string }[];
    return Object.fromEntries(
      tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]),
    );
  } finally {
    db.close();
  }
}
