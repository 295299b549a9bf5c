import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { PublishQueue } from "../../src/domain/ports.ts";
import type { Post } from "../../src/domain/posts.ts";
import { Leases } from "../../src/scheduler/leases.ts";
import { FixedClock } from "../support/fixed-clock.ts";

/** The leases table as one post's row: who holds it, until when. */
function leaseRow(owner: string, until: Date) {
  const row = { owner, until };
  const renewals: string[] = [];
  const queue: Pick<PublishQueue, "renewLease"> = {
    async renewLease(_id, leaseUntil, by) {
      renewals.push(by);
      if (by !== row.owner) return false;
      row.until = leaseUntil;
      return true;
    },
  };
  return { row, renewals, queue: queue as PublishQueue };
}

describe("a runner's lease on a claimed post", () => {
  const clock = new FixedClock(new Date("2026-06-01T08:00:00Z"));
  const settings = {
    leaseMs: 30_000,
    maxAttempts: 5,
    graceMs: 15 * 60_000,
    concurrency: 4,
    budget: { per24Hours: 100, per15Minutes: 100 },
    backoff: { baseMs: 40, maxMs: 400 },
    reclaimAllLeasesAtStart: true,
  };
  const claimed = (leaseUntil: Date) => ({ id: 7, leaseUntil }) as Post;

  it("given a claim just made, confirms it before the X call without asking the database", async () => {
    const table = leaseRow("runner-a", new Date(clock.now().getTime() + 30_000));
    const leases = new Leases(
      "runner-a",
      { queue: table.queue, clock, settings },
      pino({ level: "silent" }),
    );
    const lease = leases.keep(claimed(table.row.until));
    try {
      expect(await lease.confirm()).toBe(true);
      expect(table.renewals).toEqual([]);
    } finally {
      lease.release();
    }
  });

  it("given a runner that stalled past its lease while another took the post over, refuses the X call", async () => {
    const until = new Date(clock.now().getTime() + 30_000);
    const table = leaseRow("runner-a", until);
    const leases = new Leases(
      "runner-a",
      { queue: table.queue, clock, settings },
      pino({ level: "silent" }),
    );
    const lease = leases.keep(claimed(until));
    try {
      clock.advance(31_000);
      table.row.owner = "runner-b";
      expect(await lease.confirm()).toBe(false);
      expect(table.renewals).toEqual(["runner-a"]);
      expect(await lease.confirm()).toBe(false);
    } finally {
      lease.release();
    }
  });

  it("given a runner that stalled past its lease but kept the post (nobody took it over), renews it and goes on", async () => {
    const until = new Date(clock.now().getTime() + 30_000);
    const table = leaseRow("runner-a", until);
    const leases = new Leases(
      "runner-a",
      { queue: table.queue, clock, settings },
      pino({ level: "silent" }),
    );
    const lease = leases.keep(claimed(until));
    try {
      clock.advance(40_000);
      expect(await lease.confirm()).toBe(true);
      expect(table.row.until).toEqual(new Date(clock.now().getTime() + 30_000));
    } finally {
      lease.release();
    }
  });
});
