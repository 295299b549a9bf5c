/**
 * The experiments' queueing job (design.md section 14): for each running experiment, the
 * campaign's free slots a few days ahead get a variant each, in the balanced rotation, as posts
 * pending approval by the author "experiment". Each post carries the campaign's link, so it is
 * tracked with a code of its own. Once every variant reached the planned sample the experiment is
 * finished and nothing more is queued.
 *
 * A slot is claimed in the same table autopilot claims its slots in (one row per campaign and
 * instant), so an experiment and autopilot, or two instances, never fill one slot twice.
 */
import type { AuditNote } from "./audit.ts";
import type { Campaign } from "./campaigns.ts";
import { policyRefusal } from "./content-policy.ts";
import { countsAt } from "./experiment-observations.ts";
import { assignVariants, type PlacedVariant, rotationSlots } from "./experiment-rotation.ts";
import { evaluateExperiment } from "./experiment-verdict.ts";
import type { Experiment, ExperimentRepository } from "./experiments.ts";
import type { ApprovalNotices } from "./notices.ts";
import type { CampaignRepository, Clock, PostNotices, PostRepository } from "./ports.ts";
import {
  affiliateLinkFor,
  type NewPost,
  type Post,
  previewLinkUrl,
  SAME_ACCOUNT_DUPLICATE_MS,
} from "./posts.ts";
import { nextSlots } from "./schedule.ts";

export const EXPERIMENT_ACTOR = "experiment";
/** How far ahead slots are filled: far enough for the team to approve in working hours. */
export const EXPERIMENT_DAYS_AHEAD = 3;
const DAY_MS = 86_400_000;

/** The posts an experiment holds (queued or published), by variant, for the rotation. */
export interface ExperimentSlots {
  placed(experimentId: number): Promise<{ label: string; scheduledAt: Date }[]>;
  /**
   * Claims the campaign's slot and creates the post with its audit event, in one transaction;
   * null when the slot was claimed already (by autopilot, another instance or an earlier run).
   */
  queuePost(
    post: NewPost & { experimentVariantId: number },
    audit: AuditNote,
    notices: PostNotices,
  ): Promise<Post | null>;
}

export interface QueueOutcome {
  experimentId: number;
  queued: Post[];
  /** Every variant reached the planned sample: the experiment was finished. */
  finished: boolean;
  /** Slots a variant was assigned but could not take, with the content policy's reason. */
  refused: { at: Date; label: string; reason: string }[];
}

export class ExperimentQueue {
  constructor(
    private readonly deps: {
      experiments: ExperimentRepository;
      slots: ExperimentSlots;
      campaigns: Pick<CampaignRepository, "findById">;
      posts: Pick<PostRepository, "takenSlots" | "textsNear">;
      /** Each post's approval message, written with the post. */
      approvalNotices: Pick<ApprovalNotices, "waiting">;
      clock: Clock;
      daysAhead?: number;
    },
  ) {}

  /** One pass over every running experiment. */
  async run(): Promise<QueueOutcome[]> {
    const outcomes: QueueOutcome[] = [];
    for (const experiment of await this.deps.experiments.running()) {
      outcomes.push(await this.fill(experiment));
    }
    return outcomes;
  }

  async fill(experiment: Experiment): Promise<QueueOutcome> {
    const outcome: QueueOutcome = {
      experimentId: experiment.id,
      queued: [],
      finished: false,
      refused: [],
    };
    if (experiment.status !== "running") return outcome;
    const campaign = await this.deps.campaigns.findById(experiment.campaignId);
    if (await this.reachedPlan(experiment)) {
      const now = this.deps.clock.now();
      const ended = await this.deps.experiments.end(experiment.id, "finished", now, {
        actor: EXPERIMENT_ACTOR,
        action: "experiment.finished",
      });
      return { ...outcome, finished: ended !== null };
    }
    // A paused campaign's posts would only be held; an archived one takes no posts at all.
    if (campaign === null || campaign.status !== "active" || campaign.defaultLink === null) {
      return outcome;
    }
    for (const assigned of await this.assignments(experiment, campaign)) {
      const variant = experiment.variants.find((v) => v.label === assigned.label);
      if (variant === undefined) continue;
      const refusal = await this.contentRefusal(campaign, variant.text, assigned.at);
      if (refusal !== null) {
        outcome.refused.push({ at: assigned.at, label: assigned.label, reason: refusal });
        continue;
      }
      const post = await this.deps.slots.queuePost(
        {
          campaignId: campaign.id,
          text: variant.text,
          media: [],
          scheduledAt: assigned.at,
          status: "pending_approval",
          createdBy: EXPERIMENT_ACTOR,
          link: affiliateLinkFor(campaign, campaign.defaultLink),
          experimentVariantId: variant.id,
        },
        {
          actor: EXPERIMENT_ACTOR,
          action: "post.queued",
          payload: {
            scheduledAt: assigned.at.toISOString(),
            experimentId: experiment.id,
            variant: variant.label,
          },
        },
        (recorded) => this.deps.approvalNotices.waiting(recorded),
      );
      if (post !== null) outcome.queued.push(post);
    }
    return outcome;
  }

  private async reachedPlan(experiment: Experiment): Promise<boolean> {
    const observations = await this.deps.experiments.observations(experiment.id);
    const labels = experiment.variants.map((variant) => variant.label);
    const report = evaluateExperiment(
      {
        metric: experiment.metric,
        samplePerVariant: experiment.samplePerVariant,
        confidence: experiment.confidence,
      },
      countsAt(observations, labels, this.deps.clock.now()),
    );
    return report.verdict.kind !== "running";
  }

  private async assignments(experiment: Experiment, campaign: Campaign): Promise<PlacedVariant[]> {
    const now = this.deps.clock.now();
    const days = this.deps.daysAhead ?? EXPERIMENT_DAYS_AHEAD;
    const horizon = now.getTime() + days * DAY_MS;
    const upcoming = nextSlots(
      campaign.schedule,
      campaign.timezone,
      now,
      campaign.schedule.times.length * (days + 1),
    ).filter((at) => at.getTime() <= horizon);
    const taken = new Set(
      (await this.deps.posts.takenSlots(campaign.id, now)).map((at) => at.getTime()),
    );
    const free = upcoming.filter((at) => !taken.has(at.getTime()));
    const held = await this.deps.slots.placed(experiment.id);
    const placed = rotationSlots(
      held.map((post) => post.scheduledAt),
      campaign.timezone,
    ).map((slot, index) => ({ ...slot, label: held[index]?.label ?? "" }));
    return assignVariants({
      labels: experiment.variants.map((variant) => variant.label),
      placed,
      slots: rotationSlots(free, campaign.timezone),
      minGapMs: SAME_ACCOUNT_DUPLICATE_MS,
    });
  }

  /** The content policy as /post queue applies it, for this slot; null when the post may go. */
  private async contentRefusal(campaign: Campaign, text: string, at: Date): Promise<string | null> {
    const recent = await this.deps.posts.textsNear(campaign.guildId, {
      from: new Date(at.getTime() - SAME_ACCOUNT_DUPLICATE_MS),
      to: new Date(at.getTime() + SAME_ACCOUNT_DUPLICATE_MS),
    });
    const refusal = policyRefusal({
      text,
      trackedUrl: previewLinkUrl(campaign, campaign.defaultLink),
      adult: campaign.adult,
      disclosureTag: campaign.disclosureTag,
      recentTeamTexts: recent,
    });
    return refusal?.message ?? null;
  }
}
