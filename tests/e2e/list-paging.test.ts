import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  InteractionResponseType,
  MessageFlags,
} from "discord.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { discordActor } from "../../src/domain/audit.ts";
import type { Post } from "../../src/domain/posts.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  databaseFingerprint,
  finishE2E,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { OptionValue } from "../support/fake-discord/command-options.ts";
import type { ApiMessage } from "../support/fake-discord/server.ts";

let e2e: E2E;
beforeEach(async () => {
  e2e = await startE2E();
  await setUpTeam(e2e);
  await connectTeamAccount(e2e);
  await createCampaign(e2e);
});
afterEach(() => finishE2E(e2e));

/**
 * Queues posts straight through the post service (45 slash commands would only slow the test
 * down); a few instants repeat, so the order has ties that only the id breaks.
 */
async function seedPosts(count: number, campaign = "Desk Lamps"): Promise<Post[]> {
  const times = ["2030-03-01 09:00", "2030-03-02 09:00", "2030-03-01 15:00", "2030-03-03 21:00"];
  const posts: Post[] = [];
  for (let i = 0; i < count; i += 1) {
    posts.push(
      await e2e.herald.posts.queue(
        {
          guildId: TEAM.guildId,
          campaign,
          text: `${campaign} idea number ${i}`,
          at: times[i % times.length],
        },
        discordActor(TEAM.manager),
      ),
    );
  }
  return posts;
}

const newestFirst = (posts: readonly Post[]) =>
  [...posts].sort((a, b) => b.scheduledAt.getTime() - a.scheduledAt.getTime() || b.id - a.id);

/** The post ids a page of /post list shows, in order. */
function postIdsOn(page: ApiMessage): number[] {
  return page.content
    .split("\n")
    .flatMap((line) => /^#(\d+) · /.exec(line)?.[1] ?? [])
    .map(Number);
}

const heading = (page: ApiMessage) => page.content.split("\n")[0];

async function runList(
  subcommand: "post" | "campaign",
  options: Record<string, OptionValue> = {},
): Promise<ApiMessage> {
  const handle = await e2e.discord.runCommand({
    user: TEAM.member,
    name: subcommand,
    subcommand: "list",
    options,
  });
  const page = await handle.reply();
  expect(handle.ephemeral).toBe(true);
  return page;
}

/** The member presses Previous or Next on the list; resolves with the list once it changed. */
async function turn(page: ApiMessage, label: "Previous" | "Next"): Promise<ApiMessage> {
  const index = label === "Previous" ? 0 : 1;
  const button = buttonsOf(page)[index];
  if (button === undefined) throw new Error(`the list has no ${label} button`);
  const press = await e2e.discord.pressButton({
    user: TEAM.member,
    message: page,
    customId: button.id,
  });
  // A deferred update of the list's own message: no new reply appears.
  expect(press.type).toBe(InteractionResponseType.DeferredMessageUpdate);
  const turned = await press.reply();
  expect(turned.id).toBe(page.id);
  expect(press.followUps()).toEqual([]);
  return turned;
}

describe("lists page with Previous / Next", () => {
  it("given 45 posts, paging forward and back covers each exactly once, also after a restart", async () => {
    const expected = newestFirst(await seedPosts(45)).map((post) => post.id);

    const forward = [await runList("post")];
    expect(heading(forward[0] as ApiMessage)).toBe("**Posts 1–10 of 45**");
    expect(buttonsOf(forward[0] as ApiMessage).map((b) => b.disabled)).toEqual([true, false]);
    for (let page = 2; page <= 5; page += 1) {
      // The position is in the button, not in Herald's memory: a restart loses nothing.
      if (page === 3) await e2e.restart();
      forward.push(await turn(forward.at(-1) as ApiMessage, "Next"));
    }
    expect(forward.map(heading)).toEqual([
      "**Posts 1–10 of 45**",
      "**Posts 11–20 of 45**",
      "**Posts 21–30 of 45**",
      "**Posts 31–40 of 45**",
      "**Posts 41–45 of 45**",
    ]);
    expect(forward.flatMap(postIdsOn)).toEqual(expected);
    expect(buttonsOf(forward[4] as ApiMessage).map((b) => b.disabled)).toEqual([false, true]);

    await e2e.restart();
    expect(e2e.discord.gatewayConnections.filter((c) => c.start === "identify")).toHaveLength(3);
    const back = [forward[4] as ApiMessage];
    for (let page = 4; page >= 1; page -= 1) {
      back.push(await turn(back.at(-1) as ApiMessage, "Previous"));
    }
    expect(back.map(postIdsOn).reverse()).toEqual(forward.map(postIdsOn));
    expect(buttonsOf(back[4] as ApiMessage).map((b) => b.disabled)).toEqual([true, false]);
  });

  it("given 12 campaigns, /campaign list shows 10 by name, then the other 2", async () => {
    const names = ["Ant Farms", "Bird Feeders", "Candles", "Dog Beds", "Easels", "Fans"];
    names.push("Globes", "Hammocks", "Inks", "Jigsaws", "Kites");
    for (const name of names) await createCampaign(e2e, { name });

    const first = await runList("campaign");
    expect(heading(first)).toBe("**Campaigns 1–10 of 12**");
    const second = await turn(first, "Next");
    expect(heading(second)).toBe("**Campaigns 11–12 of 12**");
    const shown = [first, second].flatMap((page) =>
      [...page.content.matchAll(/^\*\*(.+)\*\* \(active\)/gm)].map((match) => match[1]),
    );
    expect(shown).toEqual([...names, "Desk Lamps"].sort());
    expect(buttonsOf(second).map((b) => b.disabled)).toEqual([false, true]);
    expect(heading(await turn(second, "Previous"))).toBe("**Campaigns 1–10 of 12**");
  });

  it("given a campaign and status filter, the filter travels in the button ids and every page keeps it", async () => {
    await createCampaign(e2e, { name: "Garden Chairs", niche: "garden" });
    await seedPosts(5);
    const garden = await seedPosts(14, "Garden Chairs");
    const cancelled = garden.slice(0, 12);
    for (const post of cancelled)
      await e2e.herald.posts.cancel(post.id, discordActor(TEAM.manager));
    const gardenId = garden[0]?.campaignId;

    const first = await runList("post", { campaign: "Garden Chairs", status: "cancelled" });
    expect(heading(first)).toBe("**Posts 1–10 of 12** · Garden Chairs · Cancelled");
    expect(buttonsOf(first).map((b) => b.id)).toEqual([
      `page:posts:${gardenId}:cancelled:0`,
      `page:posts:${gardenId}:cancelled:10`,
    ]);
    const second = await turn(first, "Next");
    expect(heading(second)).toBe("**Posts 11–12 of 12** · Garden Chairs · Cancelled");
    expect([first, second].flatMap(postIdsOn)).toEqual(newestFirst(cancelled).map((p) => p.id));
  });

  it("given posts left the filter meanwhile, Next shows the last page there is, and a list that emptied drops its buttons", async () => {
    const posts = await seedPosts(12);
    const first = await runList("post", { status: "pending_approval" });
    const second = await runList("post", { status: "pending_approval" });
    expect(heading(first)).toBe("**Posts 1–10 of 12** · Waiting for approval");
    for (const post of posts.slice(0, 5)) {
      await e2e.herald.posts.cancel(post.id, discordActor(TEAM.manager));
    }
    const shrunk = await turn(first, "Next");
    expect(heading(shrunk)).toBe("**Posts 1–7 of 7** · Waiting for approval");
    expect(buttonsOf(shrunk).map((b) => b.disabled)).toEqual([true, true]);

    for (const post of posts.slice(5)) {
      await e2e.herald.posts.cancel(post.id, discordActor(TEAM.manager));
    }
    const emptied = await turn(second, "Next");
    expect(emptied.content).toBe("No posts match.");
    expect(emptied.components).toEqual([]);
  });

  it("given a page button Herald does not recognise (altered), refuses it privately and changes nothing", async () => {
    await seedPosts(3);
    const channel = await e2e.herald.discord.channels.fetch(TEAM.channels.general);
    if (channel === null || !channel.isSendable()) throw new Error("general is not writable");
    const altered = "page:posts:-:everything:0";
    const sent = await channel.send({
      content: "An old list",
      components: [
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId(altered).setLabel("Next").setStyle(ButtonStyle.Secondary),
        ),
      ],
    });
    const before = await databaseFingerprint(e2e);

    const press = await e2e.discord.pressButton({
      user: TEAM.member,
      message: sent.id,
      customId: altered,
    });
    const reply = await press.reply();
    expect(press.ephemeral).toBe(true);
    expect(reply.content).toBe("This button is no longer in use.");
    expect(e2e.discord.message(sent.id)?.content).toBe("An old list");
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });

  it("given the list's campaign was deleted meanwhile, a page button says so privately and leaves the list as it was", async () => {
    await createCampaign(e2e, { name: "Garden Chairs", niche: "garden" });
    const garden = await seedPosts(12, "Garden Chairs");
    const first = await runList("post", { campaign: "Garden Chairs" });
    expect(heading(first)).toBe("**Posts 1–10 of 12** · Garden Chairs");
    await e2e.herald.prisma.campaign.delete({ where: { id: garden[0]?.campaignId ?? 0 } });
    const before = await databaseFingerprint(e2e);

    const press = await e2e.discord.pressButton({
      user: TEAM.member,
      message: first,
      customId: buttonsOf(first)[1]?.id ?? "",
    });
    const refusal = await press.followUp();
    expect(refusal.content).toMatch(/^The campaign this list was for no longer exists/);
    expect(refusal.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(e2e.discord.message(first.id)).toMatchObject({
      content: first.content,
      edited_timestamp: first.edited_timestamp,
    });
    expect(await databaseFingerprint(e2e)).toEqual(before);
  });
});
