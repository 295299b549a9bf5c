import { describe, expect, it } from "vitest";
import { isDomainError } from "../../src/domain/errors.ts";
import {
  canTransition,
  nextStatus,
  POST_STATUSES,
  type PostEvent,
  type PostStatus,
} from "../../src/domain/post-lifecycle.ts";

/** design.md section 3, written out move by move so the table in the code is checked against it. */
const ALLOWED: [PostStatus, PostEvent, PostStatus][] = [
  ["pending_approval", "approve", "approved"],
  ["pending_approval", "reject", "rejected"],
  ["pending_approval", "edit", "pending_approval"],
  ["approved", "edit", "pending_approval"],
  ["rejected", "edit", "pending_approval"],
  ["failed", "edit", "pending_approval"],
  ["missed", "edit", "pending_approval"],
  ["pending_approval", "reschedule", "pending_approval"],
  ["approved", "reschedule", "approved"],
  ["missed", "reschedule", "approved"],
  ["pending_approval", "cancel", "cancelled"],
  ["approved", "cancel", "cancelled"],
  ["failed", "cancel", "cancelled"],
  ["missed", "cancel", "cancelled"],
  ["approved", "claim", "publishing"],
  ["publishing", "publish_succeeded", "published"],
  ["publishing", "publish_failed", "failed"],
  ["publishing", "release", "approved"],
  ["failed", "retry", "approved"],
  ["approved", "mark_missed", "missed"],
];

const EVENTS: PostEvent[] = [
  "approve",
  "reject",
  "edit",
  "reschedule",
  "cancel",
  "claim",
  "publish_succeeded",
  "publish_failed",
  "release",
  "retry",
  "mark_missed",
];

describe("post lifecycle", () => {
  it.each(ALLOWED)("%s --%s--> %s", (from, event, to) => {
    expect(nextStatus(from, event)).toBe(to);
    expect(canTransition(from, event)).toBe(true);
  });

  const refused = POST_STATUSES.flatMap((from) =>
    EVENTS.filter((event) => !ALLOWED.some(([f, e]) => f === from && e === event)).map(
      (event) => [from, event] as const,
    ),
  );

  it.each(refused)("a %s post refuses %s with invalid_transition", (from, event) => {
    expect(canTransition(from, event)).toBe(false);
    let thrown: unknown;
    try {
      nextStatus(from, event, 7);
    } catch (error) {
      thrown = error;
    }
    expect(isDomainError(thrown, "invalid_transition")).toBe(true);
    expect((thrown as Error).message).toMatch(/^Post #7 /);
  });

  it("only an approved post can be claimed for publishing", () => {
    const claimable = POST_STATUSES.filter((status) => canTransition(status, "claim"));
    expect(claimable).toEqual(["approved"]);
  });

  it("published, cancelled and rejected posts accept no further move but edit of rejected", () => {
    for (const event of EVENTS) {
      expect(canTransition("published", event)).toBe(false);
      expect(canTransition("cancelled", event)).toBe(false);
    }
    expect(EVENTS.filter((event) => canTransition("rejected", event))).toEqual(["edit"]);
  });

  it("approving a cancelled post explains why", () => {
    expect(() => nextStatus("cancelled", "approve", 3)).toThrow(
      "Post #3 was cancelled, so it cannot be approved.",
    );
  });
});
