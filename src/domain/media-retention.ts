import type { AuditNote } from "./audit.ts";
import { SCHEDULER_ACTOR } from "./audit.ts";
import type { Clock } from "./ports.ts";

/** A post whose stored media is no longer needed. */
export interface ExpiredMedia {
  postId: number;
  media: string[];
}

export interface MediaRetentionStore {
  /**
   * Published or cancelled posts, finished before `before`, that still list stored media: nothing
   * will upload those files again (a published post is final, a cancelled one cannot come back).
   */
  expiredMedia(before: Date, limit: number): Promise<ExpiredMedia[]>;
  /** Empties the post's media list, with its audit event. */
  forgetMedia(postId: number, audit: AuditNote): Promise<void>;
}

/** Where media files live; removing a file that is already gone is not an error. */
export interface MediaFiles {
  remove(path: string): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;

/**
 * Deletes the media of finished posts after the retention period (HERALD_MEDIA_RETENTION_DAYS):
 * uploads are kept only while a post may still need them, so the data folder does not grow with
 * every image a team ever posted.
 */
export class MediaRetention {
  constructor(
    private readonly deps: {
      store: MediaRetentionStore;
      files: MediaFiles;
      clock: Clock;
      retentionDays: number;
    },
  ) {}

  /** Returns how many posts' media was deleted. */
  async run(): Promise<number> {
    const before = new Date(this.deps.clock.now().getTime() - this.deps.retentionDays * DAY_MS);
    let deleted = 0;
    for (;;) {
      const expired = await this.deps.store.expiredMedia(before, BATCH);
      for (const { postId, media } of expired) {
        // Files first: a crash in between leaves a list naming missing files, which the next run
        // clears, never a file that no post names.
        for (const path of media) await this.deps.files.remove(path);
        await this.deps.store.forgetMedia(postId, {
          actor: SCHEDULER_ACTOR,
          action: "post.media_deleted",
          payload: { files: media.length, retentionDays: this.deps.retentionDays },
        });
        deleted += 1;
      }
      if (expired.length < BATCH) return deleted;
    }
  }
}
