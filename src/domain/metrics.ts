/**
 * Post metrics as Herald stores them (design.md sections 2 and 6). A counter X did not report is
 * null ("unknown", shown as n/a), never 0: X leaves out non-public metrics for posts older than 30
 * days and for app-only credentials, and a 0 there would read as "nobody clicked".
 */
export interface PostMetricsCounts {
  impressions: number | null;
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
  bookmarks: number | null;
  urlLinkClicks: number | null;
}

/** One row of the time series: what X said about one post at one sync. */
export interface MetricsSnapshot extends PostMetricsCounts {
  postId: number;
  engagementRate: number;
  recordedAt: Date;
}

export function engagementsOf(counts: PostMetricsCounts): number {
  return counts.likes + counts.reposts + counts.replies + counts.quotes;
}

/** (likes + reposts + replies + quotes) / impressions; 0 when impressions are 0 or unknown. */
export function engagementRate(engagements: number, impressions: number | null): number {
  return impressions === null || impressions === 0 ? 0 : engagements / impressions;
}

export function snapshotOf(postId: number, counts: PostMetricsCounts, at: Date): MetricsSnapshot {
  return {
    postId,
    ...counts,
    engagementRate: engagementRate(engagementsOf(counts), counts.impressions),
    recordedAt: at,
  };
}
