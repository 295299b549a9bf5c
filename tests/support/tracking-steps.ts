// Steps of the tracked-link stories: a team with a tracked post on X, and the guild's postback
// token as /settings postback shows it.
import { expect } from "vitest";
import type { Herald } from "../../src/main.ts";
import { type E2E, TEAM } from "./e2e-harness.ts";
import {
  approvePost,
  connectTeamAccount,
  createCampaign,
  queuePost,
  setUpTeam,
} from "./e2e-steps.ts";

/** A web server's loopback origin (it listens on 0.0.0.0 and a free port). */
export function webOrigin(herald: Herald): string {
  const address = herald.web?.address;
  if (address === undefined) throw new Error("the web server is not running");
  return address.replace("0.0.0.0", "127.0.0.1");
}

export async function editCampaign(
  e2e: E2E,
  options: Record<string, string | boolean>,
): Promise<string> {
  const handle = await e2e.discord.runCommand({
    user: TEAM.manager,
    name: "campaign",
    subcommand: "edit",
    options: { campaign: "Desk Lamps", ...options },
  });
  return (await handle.reply()).content;
}

/** The team, its X account and the Desk Lamps campaign, then one post published now. */
export async function publishPost(
  e2e: E2E,
  edits: Record<string, string | boolean> = {},
): Promise<{ postId: number; text: string }> {
  await setUpTeam(e2e);
  await connectTeamAccount(e2e);
  await createCampaign(e2e, { link: "https://shop.example.com/lamps?ref=team", epc: 0.5 });
  if (Object.keys(edits).length > 0) await editCampaign(e2e, edits);
  const published = new Promise<void>((resolve) =>
    e2e.herald.runner.once("post.published", () => resolve()),
  );
  const { reply, postId } = await queuePost(e2e, {
    text: "Warm light for late desk sessions",
    at: "now",
  });
  if (postId === null) throw new Error(`not queued: ${reply}`);
  await approvePost(e2e, postId);
  await published;
  return { postId, text: e2e.fakeX.posts.at(-1)?.text ?? "" };
}

/** As publishPost, with HERALD_PUBLIC_URL https://go.team.example: the link X received. */
export async function publishTrackedPost(
  e2e: E2E,
  edits: Record<string, string | boolean> = {},
): Promise<{ postId: number; link: string }> {
  const { postId, text } = await publishPost(e2e, edits);
  const link = text.match(/https:\/\/go\.team\.example\/r\/\S+/)?.[0];
  if (link === undefined) throw new Error(`no tracked link in: ${text}`);
  return { postId, link };
}

/** The token in the URL /settings postback shows the admin (ephemerally). */
export async function postbackToken(
  e2e: E2E,
  options: Record<string, boolean> = {},
): Promise<string> {
  const handle = await e2e.discord.runCommand({
    user: TEAM.admin,
    name: "settings",
    subcommand: "postback",
    options,
  });
  const reply = await handle.reply({ timeoutMs: 20_000 });
  expect(handle.ephemeral).toBe(true);
  expect(reply.content).toContain("click_id={aff_sub}");
  const token = reply.content?.match(/go\.team\.example\/postback\/([\w-]+)/)?.[1];
  if (token === undefined) throw new Error(`no postback URL in: ${reply.content}`);
  return token;
}
