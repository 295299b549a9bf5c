import { beforeEach, describe, expect, it } from "vitest";
import { ContentLibrary } from "../../src/domain/content-library.ts";
import { DomainError } from "../../src/domain/errors.ts";
import { adoptWinner } from "../../src/domain/experiment-adoption.ts";
import type { ExperimentObservations } from "../../src/domain/experiment-observations.ts";
import {
  type Experiment,
  type ExperimentRepository,
  ExperimentService,
} from "../../src/domain/experiments.ts";
import { FixedClock } from "../support/fixed-clock.ts";
import {
  InMemoryCampaigns,
  InMemoryContentItems,
  testCampaign,
} from "../support/in-memory-content.ts";

const GUILD = "guild-1";
const MANAGER = "discord:2";
const NOW = new Date("2026-06-10T08:00:00Z");
const TEXTS = {
  A: "Fresh beans, ground each morning for a better cup.",
  B: "Your morning cup deserves better beans. This grinder fixes it.",
};

function experimentOf(overrides: Partial<Experiment> = {}): Experiment {
  return {
    id: 7,
    campaignId: 1,
    name: null,
    metric: "ctr",
    samplePerVariant: 1000,
    confidence: 0.95,
    status: "finished",
    createdBy: MANAGER,
    createdAt: new Date("2026-06-01T08:00:00Z"),
    endedAt: new Date("2026-06-09T08:00:00Z"),
    variants: [
      { id: 1, label: "A", text: TEXTS.A, contentItemId: null },
      { id: 2, label: "B", text: TEXTS.B, contentItemId: null },
    ],
    ...overrides,
  };
}

/** One untracked post per variant: X's impressions and link clicks are the counts. */
function observed(counts: Record<"A" | "B", [impressions: number, clicks: number]>) {
  const at = new Date("2026-06-02T09:00:00Z");
  return {
    posts: [
      { postId: 1, label: "A", publishedAt: at, tracked: false },
      { postId: 2, label: "B", publishedAt: at, tracked: false },
    ],
    snapshots: (["A", "B"] as const).map((label, index) => ({
      postId: index + 1,
      impressions: counts[label][0],
      urlLinkClicks: counts[label][1],
      recordedAt: new Date("2026-06-05T09:00:00Z"),
    })),
    clicks: [],
    conversions: [],
  } satisfies ExperimentObservations;
}

const B_WINS = observed({ A: [1200, 15], B: [1250, 45] });

let items: InMemoryContentItems;
let experiments: ExperimentService;
let library: ContentLibrary;
let stored: Experiment;
let observations: ExperimentObservations;

beforeEach(() => {
  stored = experimentOf();
  observations = B_WINS;
  const repository = {
    findById: async (wanted: number) => (wanted === stored.id ? stored : null),
    observations: async () => observations,
  } as Pick<ExperimentRepository, "findById" | "observations"> as ExperimentRepository;
  const campaigns = new InMemoryCampaigns([
    testCampaign(),
    testCampaign({ id: 2, guildId: "guild-2", name: "Elsewhere", slug: "elsewhere" }),
  ]);
  const clock = new FixedClock(NOW);
  items = new InMemoryContentItems(campaigns);
  library = new ContentLibrary({ campaigns, items, clock });
  experiments = new ExperimentService({
    experiments: repository,
    campaigns,
    clock,
    trackingAvailable: false,
  });
});

const adopt = (guildId = GUILD, id = 7) =>
  adoptWinner({ experiments, library }, guildId, id, MANAGER);

async function refusalOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${error}`);
  return error;
}

describe("using an experiment's winner in the library", () => {
  it("given B won, adds B's text once as an evergreen item of the campaign, and a second press adds nothing", async () => {
    const first = await adopt();
    expect(first.outcome).toBe("added");
    expect(first.variant.label).toBe("B");
    expect(items.items).toHaveLength(1);
    expect(items.items[0]).toMatchObject({
      id: first.item.id,
      campaignId: 1,
      text: TEXTS.B,
      evergreen: true,
      createdBy: MANAGER,
    });
    expect(items.audit.map((note) => note.action)).toEqual(["content_item.added"]);

    const second = await adopt();
    expect(second).toMatchObject({
      outcome: "present",
      fromItem: false,
      item: { id: first.item.id },
    });
    expect(items.items).toHaveLength(1);
  });

  it("given the library holds B's text with other spacing and case, names that item and adds nothing", async () => {
    items.insert([
      {
        campaignId: 1,
        text: `  ${TEXTS.B.toUpperCase().replace(" ", "   ")}`,
        link: null,
        media: [],
        tags: [],
        evergreen: false,
        expiresOn: null,
        maxUses: null,
        createdBy: "discord:1",
      },
    ]);
    const result = await adopt();
    expect(result).toMatchObject({ outcome: "present", fromItem: false });
    expect(items.items).toHaveLength(1);
  });

  it("given B came from a library item still there, says so and adds nothing; once that item is gone, adds the text", async () => {
    const sourceId = (
      await library.add(GUILD, "Coffee Gear", { text: "An older wording." }, MANAGER)
    ).item.id;
    stored = experimentOf({
      variants: [
        { id: 1, label: "A", text: TEXTS.A, contentItemId: null },
        { id: 2, label: "B", text: TEXTS.B, contentItemId: sourceId },
      ],
    });
    expect(await adopt()).toMatchObject({
      outcome: "present",
      fromItem: true,
      item: { id: sourceId },
    });
    expect(items.items).toHaveLength(1);

    items.items.length = 0;
    expect((await adopt()).outcome).toBe("added");
    expect(items.items.map((item) => item.text)).toEqual([TEXTS.B]);
  });

  it("given no winner (short of the sample, or no difference), refuses with the reason and adds nothing", async () => {
    observations = observed({ A: [400, 5], B: [420, 20] });
    const running = await refusalOf(adopt());
    expect(running.message).toBe(
      "Experiment #7 has no winner (it is still short of its planned sample), so there is nothing to add to the library.",
    );
    observations = observed({ A: [1200, 30], B: [1200, 31] });
    expect((await refusalOf(adopt())).message).toContain("no difference was found at its sample");
    expect(items.items).toHaveLength(0);
  });

  it("given an experiment of another guild, or none, answers that there is no such experiment", async () => {
    expect((await refusalOf(adopt("guild-2"))).message).toBe(
      "There is no experiment #7. /experiment list shows them.",
    );
    expect((await refusalOf(adopt(GUILD, 8))).message).toContain("There is no experiment #8.");
    expect(items.items).toHaveLength(0);
  });

  it("given a winning text the campaign's policy now refuses, refuses it as /content add would", async () => {
    stored = experimentOf({
      variants: [
        { id: 1, label: "A", text: TEXTS.A, contentItemId: null },
        { id: 2, label: "B", text: "x".repeat(300), contentItemId: null },
      ],
    });
    const refusal = await refusalOf(adopt());
    expect(refusal.code).toBe("content_too_long");
    expect(items.items).toHaveLength(0);
  });
});
