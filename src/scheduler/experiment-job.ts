/**
 * The experiments' queueing job as a clock job: hourly, on the instance that runs clock jobs
 * (ClockJobs asks its leadership at every tick), and once at once for a new experiment. Each
 * queued post's approval message is written with it, as for a post queued by hand.
 */
import type { ExperimentQueue, QueueOutcome } from "../domain/experiment-queue.ts";
import type { Experiment } from "../domain/experiments.ts";
import type { Post } from "../domain/posts.ts";
import type { Logger } from "../logger.ts";
import type { ClockJob } from "./clock-jobs.ts";

export const EXPERIMENT_JOB = "experiment-queue";
const EVERY_MINUTES = 60;

export interface ExperimentJob {
  job: ClockJob;
  /** Fills one experiment's slots now; the queued posts, or none when that failed (logged). */
  fill(experiment: Experiment): Promise<Post[]>;
}

export function experimentJob(deps: {
  queue: ExperimentQueue;
  /** Told after posts were queued: their approval messages wait in the outbox. */
  onQueued: () => void;
  logger: Logger;
}): ExperimentJob {
  const log = deps.logger.child({ job: EXPERIMENT_JOB });
  const settle = async (outcome: QueueOutcome): Promise<Post[]> => {
    const experiment = outcome.experimentId;
    for (const refused of outcome.refused) {
      log.warn({ experiment, ...refused }, "experiment slot left free: the post was refused");
    }
    if (outcome.finished) log.info({ experiment }, "experiment reached its planned sample");
    if (outcome.queued.length > 0) {
      log.info({ experiment, posts: outcome.queued.length }, "experiment posts queued");
    }
    if (outcome.queued.length > 0) deps.onQueued();
    return outcome.queued;
  };
  return {
    job: {
      name: EXPERIMENT_JOB,
      rule: { kind: "every", minutes: EVERY_MINUTES },
      run: async () => {
        for (const outcome of await deps.queue.run()) await settle(outcome);
      },
    },
    async fill(experiment) {
      try {
        return await settle(await deps.queue.fill(experiment));
      } catch (error) {
        log.error({ err: error, experiment: experiment.id }, "experiment posts not queued yet");
        return [];
      }
    },
  };
}
