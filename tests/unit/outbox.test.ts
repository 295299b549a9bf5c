import { describe, expect, it } from "vitest";
import { isEdit, outboxNonce } from "../../src/domain/outbox.ts";

describe("outbox nonce", () => {
  it("given the largest row ids and far-future instants, stays within Discord's 25 characters", () => {
    const nonce = outboxNonce({ id: 2 ** 31 - 1, createdAt: new Date("2999-12-31T23:59:59Z") });
    expect(nonce.length).toBeLessThanOrEqual(25);
  });

  it("given a database started afresh that reuses a row id, gives the new row another nonce", () => {
    const before = outboxNonce({ id: 1, createdAt: new Date("2026-06-01T08:00:00.000Z") });
    const after = outboxNonce({ id: 1, createdAt: new Date("2026-06-01T08:00:00.001Z") });
    expect(after).not.toBe(before);
    expect(outboxNonce({ id: 1, createdAt: new Date("2026-06-01T08:00:00.000Z") })).toBe(before);
  });
});

describe("outbox edits", () => {
  it("given an approval update or a target message, edits; anything else creates a message", () => {
    expect(isEdit({ kind: "approval.update" })).toBe(true);
    expect(isEdit({ kind: "notice", targetMessageId: "1" })).toBe(true);
    expect(isEdit({ kind: "post.published" })).toBe(false);
  });
});
