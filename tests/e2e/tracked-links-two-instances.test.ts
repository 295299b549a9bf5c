// Two instances on one PostgreSQL database, each with its own web server (as behind a load
// balancer over a port range): clicks and postbacks taken by either are counted once.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Herald } from "../../src/main.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  approvePost,
  connectTeamAccount,
  createCampaign,
  finishE2E,
  queuePost,
  setUpTeam,
} from "../support/e2e-steps.ts";
import {
  createPostgresSchema,
  noticePostgresSkipped,
  type PostgresSchema,
  testPostgresUrl,
} from "../support/postgres.ts";

const pgUrl = testPostgresUrl();
if (pgUrl === undefined) noticePostgresSkipped("tracked-links-two-instances.test.ts");

const origin = (herald: Herald) => (herald.web?.address ?? "").replace("0.0.0.0", "127.0.0.1");

describe.runIf(pgUrl !== undefined)("tracked links on two instances sharing PostgreSQL", () => {
  let schema: PostgresSchema;
  let e2e: E2E;
  let second: Herald;
  beforeEach(async () => {
    schema = await createPostgresSchema(pgUrl ?? "", "tracked_two");
    e2e = await startE2E({
      databaseUrl: schema.url,
      env: { HERALD_PUBLIC_URL: "https://go.team.example", HERALD_HTTP_PORT: "0" },
    });
    second = await e2e.startInstance();
  }, 60_000);
  afterEach(async () => {
    try {
      await finishE2E(e2e);
    } finally {
      await schema.drop();
    }
  });

  it("given clicks on either instance and the same postback sent to both, each click is stored once and one conversion exists", async () => {
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e, { link: "https://shop.example.com/lamps?ref=team" });
    const published = Promise.race(
      [e2e.herald, second].map(
        (instance) =>
          new Promise<void>((resolve) => instance.runner.once("post.published", () => resolve())),
      ),
    );
    const { postId } = await queuePost(e2e, { text: "A lamp for two instances", at: "now" });
    if (postId === null) throw new Error("not queued");
    await approvePost(e2e, postId);
    await published;
    const path = new URL(
      e2e.fakeX.posts.at(-1)?.text.match(/https:\/\/go\.team\.example\/r\/\S+/)?.[0] ?? "",
    ).pathname;

    const clickIds: string[] = [];
    for (const [instance, agent] of [
      [e2e.herald, "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"],
      [second, "Mozilla/5.0 (Macintosh) Safari/605.1.15"],
    ] as const) {
      const response = await fetch(`${origin(instance)}${path}`, {
        redirect: "manual",
        headers: { "user-agent": agent },
      });
      expect(response.status).toBe(302);
      clickIds.push(
        new URL(response.headers.get("location") ?? "").searchParams.get("subid") ?? "",
      );
    }
    await Promise.all([e2e.herald.web?.flushClicks(), second.web?.flushClicks()]);
    expect(await e2e.herald.prisma.click.count({ where: { postId } })).toBe(2);

    const handle = await e2e.discord.runCommand({
      user: TEAM.admin,
      name: "settings",
      subcommand: "postback",
      options: {},
    });
    const token = (await handle.reply()).content.match(/\/postback\/([\w-]+)/)?.[1] ?? "";
    const query = `click_id=${clickIds[0]}&payout=4&txid=TX-1`;
    const answers = await Promise.all(
      [e2e.herald, second, e2e.herald, second].map((instance) =>
        fetch(`${origin(instance)}/postback/${token}?${query}`).then((r) => r.status),
      ),
    );
    expect(answers).toEqual([200, 200, 200, 200]);
    expect(await e2e.herald.prisma.conversion.count()).toBe(1);

    // Counted once in what the team reads, whichever instance answers /report.
    const report = await e2e.discord.runCommand({ user: TEAM.member, name: "report", options: {} });
    const line = ((await report.reply()).embeds[0] as { description?: string }).description;
    expect(line).toMatch(/· 2 human clicks · 1 conversion · conversion rate 50% · /);
    expect(line).toContain("revenue $4.00 (measured)");
  });
});
