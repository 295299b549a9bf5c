/**
 * Experiments (design.md section 14): 2–4 texts for one campaign, published in turns and judged
 * by src/domain/experiment-verdict.ts. What an experiment measures and how much it needs (metric,
 * planned sample, confidence) is fixed when it is created: changing it after seeing the numbers
 * would let anyone pick the verdict.
 */
import type { AuditNote } from "./audit.ts";
import { type Campaign, requireCampaign } from "./campaigns.ts";
import { checkPostContent, normaliseForDuplicate } from "./content-policy.ts";
import { DomainError } from "./errors.ts";
import { countsAt, type ExperimentObservations, seriesCutoffs } from "./experiment-observations.ts";
import {
  EXPERIMENT_METRICS,
  type ExperimentMetric,
  type ExperimentReport,
  evaluateExperiment,
  type VariantCounts,
  type VariantResult,
} from "./experiment-verdict.ts";
import type { CampaignRepository, Clock } from "./ports.ts";
import { type Post, previewLinkUrl } from "./posts.ts";

export const EXPERIMENT_STATUSES = ["running", "finished", "stopped"] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

export const VARIANT_LABELS = ["A", "B", "C", "D"] as const;
export const MIN_VARIANTS = 2;
export const DEFAULT_CONFIDENCE = 0.95;
/** Defaults from the issue: 1,000 impressions for CTR, 100 human clicks for the others. */
export const DEFAULT_SAMPLE: Readonly<Record<ExperimentMetric, number>> = {
  ctr: 1000,
  conversion: 100,
  epc: 100,
};
const MAX_SAMPLE = 10_000_000;

export interface ExperimentVariant {
  id: number;
  label: string;
  text: string;
  /** The library item the text came from; null for a text typed in. */
  contentItemId: number | null;
}

export interface Experiment {
  id: number;
  campaignId: number;
  name: string | null;
  metric: ExperimentMetric;
  samplePerVariant: number;
  confidence: number;
  status: ExperimentStatus;
  createdBy: string;
  createdAt: Date;
  endedAt: Date | null;
  variants: ExperimentVariant[];
}

export type NewExperiment = Omit<
  Experiment,
  "id" | "status" | "createdAt" | "endedAt" | "variants"
> & { variants: Omit<ExperimentVariant, "id">[] };

export interface ExperimentRepository {
  create(experiment: NewExperiment, audit: AuditNote): Promise<Experiment>;
  findById(id: number): Promise<Experiment | null>;
  /** The guild's experiments, newest first, optionally only those in `statuses`. */
  list(
    guildId: string,
    filter: { statuses?: readonly ExperimentStatus[]; limit: number },
  ): Promise<Experiment[]>;
  /** Running experiments of every guild, for the queueing job. */
  running(): Promise<Experiment[]>;
  /** Moves `running` → `to` with endedAt; null when it was no longer running. */
  end(
    id: number,
    to: "finished" | "stopped",
    endedAt: Date,
    audit: AuditNote,
  ): Promise<Experiment | null>;
  observations(experimentId: number): Promise<ExperimentObservations>;
}

export interface CreateExperimentInput {
  guildId: string;
  campaign: string;
  metric?: ExperimentMetric | undefined;
  sample?: number | undefined;
  name?: string | undefined;
  /** As typed, in field order A–D; empty ones are left out. */
  texts: readonly string[];
}

/** The chart's points: each variant's rate and interval at the end of each day. */
export interface SeriesPoint extends VariantResult {
  date: string;
}

export interface ExperimentView {
  experiment: Experiment;
  campaign: Campaign;
  report: ExperimentReport;
  /** What each variant's published posts gathered, in variant order. */
  counts: VariantCounts[];
  series: SeriesPoint[];
}

export class ExperimentService {
  constructor(
    private readonly deps: {
      experiments: ExperimentRepository;
      campaigns: Pick<CampaignRepository, "findByName" | "findById">;
      clock: Clock;
      /** HERALD_PUBLIC_URL is set: Herald can count clicks and conversions itself. */
      trackingAvailable: boolean;
      /**
       * Queues a new experiment's first posts at once (the hourly job does the rest) and returns
       * them; a failure there is the job's to retry, not the creation's.
       */
      onCreated?: (experiment: Experiment) => Promise<Post[]>;
    },
  ) {}

  async create(
    input: CreateExperimentInput,
    actor: string,
  ): Promise<{ experiment: Experiment; queued: Post[] }> {
    const campaign = await requireCampaign(this.deps.campaigns, input.guildId, input.campaign);
    const metric = input.metric ?? "ctr";
    this.checkCampaign(campaign, metric);
    const running = await this.deps.experiments.list(input.guildId, {
      statuses: ["running"],
      limit: 100,
    });
    const clash = running.find((experiment) => experiment.campaignId === campaign.id);
    if (clash !== undefined) {
      throw new DomainError(
        "invalid_input",
        `Experiment #${clash.id} is already running in "${campaign.name}": two would share its slots. Stop it first (/experiment stop).`,
      );
    }
    const texts = variantTexts(input.texts, campaign);
    const sample = input.sample ?? DEFAULT_SAMPLE[metric];
    if (!Number.isSafeInteger(sample) || sample < 1 || sample > MAX_SAMPLE) {
      throw new DomainError(
        "invalid_input",
        `The planned sample is a whole number of ${metric === "ctr" ? "impressions" : "clicks"} per variant, 1 to ${MAX_SAMPLE.toLocaleString("en-US")}.`,
      );
    }
    const experiment = await this.deps.experiments.create(
      {
        campaignId: campaign.id,
        name: input.name?.trim() || null,
        metric,
        samplePerVariant: sample,
        confidence: DEFAULT_CONFIDENCE,
        createdBy: actor,
        variants: texts.map((text, index) => ({
          label: VARIANT_LABELS[index] as string,
          text,
          contentItemId: null,
        })),
      },
      { actor, action: "experiment.created", payload: { metric, sample, variants: texts.length } },
    );
    return { experiment, queued: (await this.deps.onCreated?.(experiment)) ?? [] };
  }

  list(guildId: string, statuses?: readonly ExperimentStatus[]): Promise<Experiment[]> {
    return this.deps.experiments.list(guildId, {
      ...(statuses === undefined ? {} : { statuses }),
      limit: 25,
    });
  }

  /** The experiment, its numbers now and day by day, and the verdict. */
  async view(guildId: string, id: number): Promise<ExperimentView> {
    const { experiment, campaign } = await this.find(guildId, id);
    const observations = await this.deps.experiments.observations(experiment.id);
    const labels = experiment.variants.map((variant) => variant.label);
    const plan = {
      metric: experiment.metric,
      samplePerVariant: experiment.samplePerVariant,
      confidence: experiment.confidence,
    };
    const now = this.deps.clock.now();
    const counts = countsAt(observations, labels, now);
    const report = evaluateExperiment(plan, counts);
    const series = seriesCutoffs(observations, campaign.timezone, now).flatMap(({ date, cutoff }) =>
      evaluateExperiment(plan, countsAt(observations, labels, cutoff)).variants.map((variant) => ({
        date,
        ...variant,
      })),
    );
    return { experiment, campaign, report, counts, series };
  }

  async stop(guildId: string, id: number, actor: string): Promise<Experiment> {
    const { experiment } = await this.find(guildId, id);
    const stopped =
      experiment.status === "running"
        ? await this.deps.experiments.end(experiment.id, "stopped", this.deps.clock.now(), {
            actor,
            action: "experiment.stopped",
          })
        : null;
    if (stopped === null) {
      throw new DomainError(
        "invalid_input",
        `Experiment #${experiment.id} is ${experiment.status === "running" ? "no longer running" : experiment.status}; only a running experiment can be stopped.`,
      );
    }
    return stopped;
  }

  private async find(
    guildId: string,
    id: number,
  ): Promise<{ experiment: Experiment; campaign: Campaign }> {
    const experiment = await this.deps.experiments.findById(id);
    const campaign =
      experiment === null ? null : await this.deps.campaigns.findById(experiment.campaignId);
    if (experiment === null || campaign === null || campaign.guildId !== guildId) {
      throw new DomainError(
        "invalid_input",
        `There is no experiment #${id}. /experiment list shows them.`,
      );
    }
    return { experiment, campaign };
  }

  private checkCampaign(campaign: Campaign, metric: ExperimentMetric): void {
    if (campaign.status !== "active" && campaign.status !== "paused") {
      throw new DomainError(
        "campaign_state",
        `Campaign "${campaign.name}" is ${campaign.status}; experiments run in active or paused campaigns.`,
      );
    }
    if (campaign.defaultLink === null) {
      throw new DomainError(
        "invalid_input",
        `An experiment measures clicks on the campaign's link, and "${campaign.name}" has none. Set one with /campaign edit link:.`,
      );
    }
    const tracked = campaign.tracking ?? this.deps.trackingAvailable;
    if (metric !== "ctr" && !(tracked && this.deps.trackingAvailable)) {
      throw new DomainError(
        "invalid_input",
        `The ${metric} metric needs Herald's tracked links (HERALD_PUBLIC_URL, and tracking on for "${campaign.name}"); ctr works without them.`,
      );
    }
  }
}

export function isExperimentMetric(value: string): value is ExperimentMetric {
  return (EXPERIMENT_METRICS as readonly string[]).includes(value);
}

/** The non-empty texts, each passing the content policy, no two the same. */
function variantTexts(typed: readonly string[], campaign: Campaign): string[] {
  const texts = typed.map((text) => text.trim()).filter((text) => text !== "");
  if (texts.length < MIN_VARIANTS || texts.length > VARIANT_LABELS.length) {
    throw new DomainError(
      "invalid_input",
      `An experiment compares ${MIN_VARIANTS} to ${VARIANT_LABELS.length} texts; ${texts.length} ${texts.length === 1 ? "was" : "were"} given.`,
    );
  }
  const seen = new Set<string>();
  texts.forEach((text, index) => {
    const label = VARIANT_LABELS[index] as string;
    const key = normaliseForDuplicate(text);
    if (seen.has(key)) {
      throw new DomainError("invalid_input", `Variant ${label} repeats an earlier variant's text.`);
    }
    seen.add(key);
    try {
      checkPostContent({
        text,
        trackedUrl: previewLinkUrl(campaign, campaign.defaultLink),
        adult: campaign.adult,
        disclosureTag: campaign.disclosureTag,
        recentTeamTexts: [],
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw new DomainError(error.code, `Variant ${label}: ${error.message}`, error.details);
    }
  });
  return texts;
}
