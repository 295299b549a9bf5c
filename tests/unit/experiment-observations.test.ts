import { describe, expect, it } from "vitest";
import {
  countsAt,
  type ExperimentObservations,
  seriesCutoffs,
} from "../../src/domain/experiment-observations.ts";

const at = (iso: string) => new Date(iso);

const observations: ExperimentObservations = {
  posts: [
    { postId: 1, label: "A", publishedAt: at("2026-12-07T08:00:00Z"), tracked: true },
    { postId: 2, label: "B", publishedAt: at("2026-12-07T14:00:00Z"), tracked: false },
    { postId: 3, label: "A", publishedAt: at("2026-12-09T08:00:00Z"), tracked: true },
  ],
  snapshots: [
    { postId: 1, impressions: 300, urlLinkClicks: 50, recordedAt: at("2026-12-07T12:00:00Z") },
    { postId: 1, impressions: 900, urlLinkClicks: 70, recordedAt: at("2026-12-08T12:00:00Z") },
    { postId: 2, impressions: 800, urlLinkClicks: 24, recordedAt: at("2026-12-08T12:00:00Z") },
    { postId: 3, impressions: null, urlLinkClicks: null, recordedAt: at("2026-12-09T12:00:00Z") },
  ],
  clicks: [
    { postId: 1, at: at("2026-12-07T09:10:00Z"), visitorHash: "v1", hour: "2026-12-07T09" },
    { postId: 1, at: at("2026-12-07T09:40:00Z"), visitorHash: "v1", hour: "2026-12-07T09" },
    { postId: 1, at: at("2026-12-07T10:05:00Z"), visitorHash: "v1", hour: "2026-12-07T10" },
    { postId: 1, at: at("2026-12-08T10:05:00Z"), visitorHash: "v2", hour: "2026-12-08T10" },
    // A click on an untracked post cannot happen; if it did, X's count is the one used.
    { postId: 2, at: at("2026-12-08T10:05:00Z"), visitorHash: "v3", hour: "2026-12-08T10" },
  ],
  conversions: [
    { postId: 1, clickId: "c1", payout: 4, at: at("2026-12-07T11:00:00Z") },
    { postId: 1, clickId: "c1", payout: 2, at: at("2026-12-08T11:00:00Z") },
    { postId: 1, clickId: "c2", payout: 3, at: at("2026-12-08T11:00:00Z") },
  ],
};

describe("experiment observations", () => {
  it("given a cutoff, each variant counts its latest snapshot, human clicks once per visitor and hour, and payouts per click", () => {
    const [a, b] = countsAt(observations, ["A", "B"], at("2026-12-08T23:59:59Z"));
    expect(a).toEqual({
      label: "A",
      posts: 1,
      impressions: 900,
      humanClicks: 3,
      conversions: 3,
      revenue: 9,
      // Click c1 earned 4 + 2, click c2 earned 3: squares per click, not per conversion.
      revenueSquares: 36 + 9,
    });
    expect(b).toMatchObject({ posts: 1, impressions: 800, humanClicks: 24 });
  });

  it("given an earlier cutoff, later snapshots, clicks, conversions and posts are left out", () => {
    const [a, b] = countsAt(observations, ["A", "B"], at("2026-12-07T13:00:00Z"));
    expect(a).toMatchObject({ posts: 1, impressions: 300, humanClicks: 2, conversions: 1 });
    expect(b).toMatchObject({ posts: 0, impressions: 0, humanClicks: 0 });
  });

  it("given posts since Monday, the chart has one point per local day up to now", () => {
    const points = seriesCutoffs(observations, "Europe/Berlin", at("2026-12-09T10:00:00Z"));
    expect(points.map((p) => [p.date, p.cutoff.toISOString()])).toEqual([
      ["2026-12-07", "2026-12-07T22:59:59.999Z"],
      ["2026-12-08", "2026-12-08T22:59:59.999Z"],
      ["2026-12-09", "2026-12-09T10:00:00.000Z"],
    ]);
    expect(
      seriesCutoffs({ ...observations, posts: [] }, "UTC", at("2026-12-09T10:00:00Z")),
    ).toEqual([]);
  });
});
