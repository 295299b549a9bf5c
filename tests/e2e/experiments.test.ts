import { afterEach, describe, expect, it } from "vitest";
import { CHART_WIDTH } from "../../src/bot/render/report-chart.ts";
import { type E2E, startE2E, TEAM } from "../support/e2e-harness.ts";
import {
  approvePost,
  buttonsOf,
  connectTeamAccount,
  createCampaign,
  embedField,
  finishE2E,
  setUpTeam,
} from "../support/e2e-steps.ts";
import type { ApiMessage } from "../support/fake-discord/server.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import { inspectPng } from "../support/png-check.ts";

const PUBLIC_URL = "https://go.team.example";
const VARIANTS = {
  A: "Warm light for late desk sessions, easy on the eyes.",
  B: "Your desk at 11 pm deserves better light. This lamp fixes it.",
};

let e2e: E2E;
afterEach(() => finishE2E(e2e));

function serverOrigin(): string {
  const address = e2e.herald.web?.address;
  if (address === undefined) throw new Error("the web server is not running");
  return address.replace("0.0.0.0", "127.0.0.1");
}

/** `count` different readers follow the link (each its own visitor, so each counts once). */
async function clicks(link: string, count: number, reader: string): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(`${serverOrigin()}${new URL(link).pathname}`, {
      redirect: "manual",
      headers: {
        "user-agent": `Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/133.0 ${reader}-${i}`,
      },
    });
    expect(response.status).toBe(302);
  }
}

async function experiment(
  subcommand: string,
  options: Record<string, string | number>,
  user: string = TEAM.member,
): Promise<ApiMessage> {
  const handle = await e2e.discord.runCommand({ user, name: "experiment", subcommand, options });
  const reply = await handle.reply({ timeoutMs: 20_000 });
  expect(handle.ephemeral).toBe(true);
  return reply;
}

/** The label of the "Use … in the library" button on an experiment's message. */
function adoptLabel(message: ApiMessage): string | undefined {
  const rows = message.components as { components?: { custom_id?: string; label?: string }[] }[];
  return rows
    .flatMap((row) => row.components ?? [])
    .find((button) => button.custom_id?.startsWith("experiment:adopt:"))?.label;
}

function checkChart(message: ApiMessage): void {
  const [attachment] = message.attachments;
  expect(attachment?.filename).toBe("experiment.png");
  const bytes = e2e.discord.attachmentBytes(attachment?.url ?? "");
  if (bytes === undefined) throw new Error("the fake Discord holds no bytes for the chart");
  const png = inspectPng(bytes);
  expect(png.width).toBe(CHART_WIDTH);
  expect(png.height).toBeGreaterThan(300);
  expect(png.drawnShare).toBeGreaterThan(0.02);
  expect(png.colours).toBeGreaterThan(20);
}

describe("experiments, end to end", () => {
  it("given an experiment whose posts are approved and published, clicks and metrics arrive and /experiment show names B the winner with a chart, and its button puts B in the library once", async () => {
    // Monday 2026-12-07, 08:00 in Berlin.
    const clock = new FixedClock(new Date("2026-12-07T07:00:00Z"));
    e2e = await startE2E({
      clock,
      env: { HERALD_PUBLIC_URL: PUBLIC_URL, HERALD_HTTP_PORT: "0" },
    });
    await setUpTeam(e2e);
    await connectTeamAccount(e2e);
    await createCampaign(e2e, { link: "https://shop.example.com/lamps?ref=team" });

    // A member may look but not start one; the manager's command opens the variants form.
    const refused = await e2e.discord.runCommand({
      user: TEAM.member,
      name: "experiment",
      subcommand: "create",
      options: { campaign: "Desk Lamps" },
    });
    expect((await refused.reply()).content).toContain("content manager");
    const opened = await e2e.discord.runCommand({
      user: TEAM.manager,
      name: "experiment",
      subcommand: "create",
      options: { campaign: "Desk Lamps", sample: 1000 },
    });
    const customId = opened.modal?.customId;
    if (customId === undefined) throw new Error("/experiment create did not open a form");
    const submitted = await e2e.discord.submitModal({
      user: TEAM.manager,
      customId,
      fields: { "variant-A": VARIANTS.A, "variant-B": VARIANTS.B, "variant-C": "  " },
    });
    const created = (await submitted.reply({ timeoutMs: 20_000 })).content;
    expect(created).toContain("Experiment #1 started in Desk Lamps: variants A, B, metric ctr");
    expect(created).toMatch(/Queued \d+ posts for approval, the first for 2026-12-07 09:00 CET/);

    const queued = await e2e.herald.prisma.post.findMany({
      where: { experimentVariantId: { not: null } },
      include: { experimentVariant: true },
      orderBy: { scheduledAt: "asc" },
    });
    expect(queued.length).toBeGreaterThanOrEqual(4);
    expect(queued.map((p) => p.experimentVariant?.label).slice(0, 2)).toEqual(["A", "B"]);
    expect(new Set(queued.map((p) => p.createdBy))).toEqual(new Set(["experiment"]));

    // The approver approves the first post of each variant; each goes out at its slot.
    const published: Record<string, { postId: number; link: string }> = {};
    for (const post of queued.slice(0, 2)) {
      expect(await approvePost(e2e, post.id)).toContain("Approved");
      const out = new Promise<void>((resolve) =>
        e2e.herald.runner.once("post.published", () => resolve()),
      );
      clock.set(new Date(post.scheduledAt.getTime() + 1000));
      e2e.herald.runner.wake();
      await out;
      const text = e2e.fakeX.posts.at(-1)?.text ?? "";
      expect(text.startsWith(post.text)).toBe(true);
      const link = text.match(/https:\/\/go\.team\.example\/r\/\S+/)?.[0];
      if (link === undefined) throw new Error(`no tracked link in: ${text}`);
      published[post.experimentVariant?.label ?? "?"] = { postId: post.id, link };
    }
    const { A, B } = published;
    if (A === undefined || B === undefined) throw new Error("both variants should be out");
    expect(A.link).not.toBe(B.link);

    // Before the planned sample: numbers, no winner.
    const early = await experiment("show", { experiment: 1 });
    expect((early.embeds[0] as { description?: string }).description).toContain(
      "Running: no winner is named before every variant reached 1,000 impressions",
    );
    expect(buttonsOf(early)).toEqual([]);

    // Readers click, X reports impressions, the sync stores them.
    await clicks(A.link, 15, "a");
    await clicks(B.link, 45, "b");
    await e2e.herald.web?.flushClicks();
    const xIds = await e2e.herald.prisma.post.findMany({
      where: { id: { in: [A.postId, B.postId] } },
      select: { id: true, xPostId: true },
    });
    for (const { id, xPostId } of xIds) {
      e2e.fakeX.setMetrics(xPostId ?? "", {
        impression_count: id === A.postId ? 1200 : 1250,
        url_link_clicks: 99,
      });
    }
    clock.set("2026-12-07T16:00:00Z");
    expect((await e2e.herald.syncMetrics()).recorded).toBe(2);

    const shown = await experiment("show", { experiment: 1 });
    const embed = shown.embeds[0] as { title?: string; description?: string };
    expect(embed.title).toBe("Experiment #1 · Desk Lamps (running)");
    expect(embed.description).toMatch(/^\*\*B wins\*\* on CTR \(p [<=] 0\.\d+\)\. Lift \+\d+%/);
    expect(embedField(shown, `A: ${VARIANTS.A}`)).toMatch(
      /^CTR 1\.25% \(95 % interval \d\.\d+%–\d\.\d+%\) · 1 post, 1,200 impressions, 15 clicks$/,
    );
    expect(embedField(shown, `B ★: ${VARIANTS.B}`)).toContain("1,250 impressions, 45 clicks");
    checkChart(shown);

    // /report experiment: draws the same; autocomplete finds it by campaign or text.
    const handle = await e2e.discord.runCommand({
      user: TEAM.member,
      name: "report",
      options: { experiment: 1 },
    });
    const report = await handle.reply({ timeoutMs: 20_000 });
    expect((report.embeds[0] as { description?: string }).description).toBe(embed.description);
    checkChart(report);
    const choices = await e2e.discord.autocomplete({
      user: TEAM.member,
      name: "experiment",
      subcommand: "show",
      options: { experiment: "11 pm" },
      focused: "experiment",
    });
    expect(choices.choices).toEqual([
      { name: "#1 · Desk Lamps · running · ctr · 2 variants", value: 1 },
    ]);
    expect((await experiment("list", {})).content).toBe(
      "#1 · Desk Lamps · running · ctr · 2 variants",
    );

    // The next queueing run finds the plan reached: the experiment finishes, nothing more queues.
    const before = await e2e.herald.prisma.post.count();
    clock.set("2026-12-08T07:00:00Z");
    await e2e.herald.queueExperiments();
    expect(await e2e.herald.prisma.post.count()).toBe(before);
    const finished = await experiment("show", { experiment: 1 });
    expect((finished.embeds[0] as { title?: string }).title).toBe(
      "Experiment #1 · Desk Lamps (finished)",
    );
    expect((await experiment("stop", { experiment: 1 }, TEAM.manager)).content).toBe(
      "Experiment #1 is finished; only a running experiment can be stopped.",
    );

    // The winner offers its place in the library; only a content manager may take it, once.
    const adopt = "experiment:adopt:1";
    expect(adoptLabel(finished)).toBe("Use B in the library");
    const press = (message: ApiMessage, user: string) =>
      e2e.discord.pressButton({ user, message, customId: adopt }).then((h) => h.reply());
    expect((await press(finished, TEAM.member)).content).toContain("content manager");
    expect(await e2e.herald.prisma.contentItem.count()).toBe(0);
    const managerView = await experiment("show", { experiment: 1 }, TEAM.manager);
    const added = (await press(managerView, TEAM.manager)).content;
    const itemId = Number(/evergreen item #(\d+)/.exec(added)?.[1]);
    expect(added).toBe(
      `Added variant B to the library as evergreen item #${itemId}: autopilot can post it from now on. /content show item:${itemId} shows it.`,
    );
    const shownItem = await e2e.discord.runCommand({
      user: TEAM.member,
      name: "content",
      subcommand: "show",
      options: { item: itemId },
    });
    const details = (await shownItem.reply({ timeoutMs: 20_000 })).content;
    expect(details).toContain(VARIANTS.B);
    expect(details).toContain("Desk Lamps");
    expect((await press(managerView, TEAM.manager)).content).toBe(
      `Library item #${itemId} has variant B's text already; nothing was added.`,
    );
    expect(
      await e2e.herald.prisma.contentItem.findMany({ select: { text: true, evergreen: true } }),
    ).toEqual([{ text: VARIANTS.B, evergreen: true }]);
  });

  it("given a running experiment, only a content manager stops it, and the queueing job then leaves it alone", async () => {
    const clock = new FixedClock(new Date("2026-12-07T07:00:00Z"));
    e2e = await startE2E({ clock });
    await setUpTeam(e2e);
    await createCampaign(e2e, { link: "https://shop.example.com/lamps?ref=team" });
    const opened = await e2e.discord.runCommand({
      user: TEAM.manager,
      name: "experiment",
      subcommand: "create",
      options: { campaign: "Desk Lamps" },
    });
    const submitted = await e2e.discord.submitModal({
      user: TEAM.manager,
      customId: opened.modal?.customId ?? "",
      fields: { "variant-A": VARIANTS.A, "variant-B": VARIANTS.B },
    });
    expect((await submitted.reply({ timeoutMs: 20_000 })).content).toContain("Experiment #1");

    expect((await experiment("stop", { experiment: 1 })).content).toContain("content manager");
    expect((await experiment("stop", { experiment: 1 }, TEAM.manager)).content).toContain(
      "Experiment #1 is stopped: no more of its posts are queued.",
    );
    const before = await e2e.herald.prisma.post.count();
    clock.set("2026-12-09T07:00:00Z");
    await e2e.herald.queueExperiments();
    expect(await e2e.herald.prisma.post.count()).toBe(before);
    const choices = await e2e.discord.autocomplete({
      user: TEAM.manager,
      name: "experiment",
      subcommand: "stop",
      options: { experiment: "" },
      focused: "experiment",
    });
    expect(choices.choices).toEqual([]);
  });
});
