import { describe, expect, it } from "vitest";
import {
  campaignButtonId,
  parseCampaignTarget,
  parsePostTarget,
  postButtonId,
  postModalId,
} from "../../src/bot/custom-ids.ts";

describe("custom ids", () => {
  it("round-trips every post action for buttons and forms", () => {
    for (const action of ["approve", "reject", "edit", "reschedule", "retry"] as const) {
      expect(parsePostTarget(postButtonId(action, 42))).toEqual({
        kind: "button",
        action,
        postId: 42,
      });
      expect(parsePostTarget(postModalId(action, 7))).toEqual({ kind: "modal", action, postId: 7 });
    }
  });

  it.each([
    "post:approve:",
    "post:delete:1",
    "post:approve:1:2",
    "x-connect",
    "post:approve:-1",
    "post:approve:1e3",
    `post:approve:${"9".repeat(13)}`,
  ])("answers 'not mine' for %j", (id) => {
    expect(parsePostTarget(id)).toBeNull();
  });

  it("round-trips the campaign archive button and answers 'not mine' for anything else", () => {
    expect(parseCampaignTarget(campaignButtonId("archive", 12))).toEqual({
      action: "archive",
      campaignId: 12,
    });
    for (const id of [
      "campaign:archive:",
      "campaign:delete:1",
      "campaign:archive:1:2",
      "post:approve:1",
      `campaign:archive:${"9".repeat(13)}`,
    ]) {
      expect(parseCampaignTarget(id)).toBeNull();
    }
    expect(parsePostTarget(campaignButtonId("archive", 12))).toBeNull();
  });
});
