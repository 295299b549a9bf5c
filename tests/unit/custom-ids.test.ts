import { describe, expect, it } from "vitest";
import {
  campaignButtonId,
  contentFormId,
  contentImportButtonId,
  experimentAdoptButtonId,
  type PageTarget,
  pageButtonId,
  parseCampaignTarget,
  parseContentFormId,
  parseContentImportTarget,
  parseExperimentAdoptTarget,
  parsePageTarget,
  parsePostTarget,
  parseQueueFormId,
  parseXDisconnectTarget,
  postButtonId,
  postModalId,
  queueFormId,
  xDisconnectButtonId,
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

  it("round-trips the /x disconnect button and answers 'not mine' for anything else", () => {
    expect(parseXDisconnectTarget(xDisconnectButtonId(7))).toEqual({ xAccountId: 7 });
    for (const id of [
      "x:disconnect:",
      "x:disconnect:0",
      "x:disconnect:07",
      "x:disconnect:1:2",
      "x:connect:1",
      `x:disconnect:${"9".repeat(13)}`,
    ]) {
      expect(parseXDisconnectTarget(id)).toBeNull();
    }
    expect(parseCampaignTarget(xDisconnectButtonId(7))).toBeNull();
    expect(parsePostTarget(xDisconnectButtonId(7))).toBeNull();
  });
});

describe("page ids", () => {
  it.each<PageTarget>([
    { list: "posts", campaignId: null, status: null, offset: 0 },
    { list: "posts", campaignId: 7, status: null, offset: 10 },
    { list: "posts", campaignId: null, status: "pending_approval", offset: 40 },
    { list: "posts", campaignId: 999_999_999_999, status: "published", offset: 999_990 },
    { list: "campaigns", offset: 0 },
    { list: "campaigns", offset: 20 },
    { list: "content", campaignId: 4, tag: null, offset: 0 },
    { list: "content", campaignId: 999_999_999_999, tag: "ñandú-2027", offset: 10 },
    { list: "content", campaignId: 4, tag: "a".repeat(30), offset: 999_990 },
  ])("round-trips %j within Discord's 100 characters", (target) => {
    const id = pageButtonId(target);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(parsePageTarget(id)).toEqual(target);
  });

  it("writes the filters and the position into the id", () => {
    expect(pageButtonId({ list: "posts", campaignId: 3, status: "approved", offset: 20 })).toBe(
      "page:posts:3:approved:20",
    );
    expect(pageButtonId({ list: "posts", campaignId: null, status: null, offset: 0 })).toBe(
      "page:posts:-:-:0",
    );
    expect(pageButtonId({ list: "campaigns", offset: 10 })).toBe("page:campaigns:10");
  });

  it.each([
    "post:approve:1",
    "x-connect",
    "page:posts:-:-",
    "page:posts:-:-:10:1",
    "page:posts:0:-:0",
    "page:posts:abc:-:0",
    "page:posts:-:deleted:0",
    "page:posts:-:-:-10",
    "page:posts:-:-:010",
    "page:posts:-:-:1e3",
    "page:posts:-:-:9999999",
    "page:campaigns:",
    "page:campaigns:-",
    "page:campaigns:10:1",
    "page:contents:0",
    "page:content:-:-:0",
    "page:content:4:-cold:0",
    "page:content:4:cold:brew:0",
    `page:content:4:${"a".repeat(31)}:0`,
  ])("answers 'not mine' for the altered or foreign id %j", (id) => {
    expect(parsePageTarget(id)).toBeNull();
  });
});

describe("queue form ids", () => {
  it("carries the form id of the command that opened the form, within Discord's 100 characters", () => {
    const id = queueFormId("1320000000000000001");
    expect(id).toBe("post-queue:1320000000000000001");
    expect(id.length).toBeLessThanOrEqual(100);
    expect(parseQueueFormId(id)).toBe("1320000000000000001");
  });

  it.each(["post-queue:", "post-queue:abc", "post-queue:1:2", "post-modal:edit:1", "x-connect"])(
    "answers 'not mine' for %j",
    (id) => {
      expect(parseQueueFormId(id)).toBeNull();
    },
  );
});

describe("content ids", () => {
  it("round-trips the Import button and answers 'not mine' for anything else", () => {
    expect(contentImportButtonId(12)).toBe("content:import:12");
    expect(parseContentImportTarget("content:import:12")).toEqual({ importId: 12 });
    for (const id of [
      "content:import:",
      "content:import:0",
      "content:import:1x",
      "post:approve:1",
    ]) {
      expect(parseContentImportTarget(id)).toBeNull();
    }
  });

  it.each([
    { evergreen: null, maxUses: null },
    { evergreen: true, maxUses: 5 },
    { evergreen: false, maxUses: 100_000 },
  ])("round-trips the /content add form with %j within Discord's 100 characters", (options) => {
    const id = contentFormId("1320000000000000001", options);
    expect(id.length).toBeLessThanOrEqual(100);
    expect(parseContentFormId(id)).toEqual({ formId: "1320000000000000001", ...options });
  });

  it.each(["content-add:1:2:3", "content-add:1:-:0", "content-add:abc:-:-", "post-queue:1"])(
    "answers 'not mine' for the form id %j",
    (id) => {
      expect(parseContentFormId(id)).toBeNull();
    },
  );
});

describe("experiment ids", () => {
  it("round-trips the 'Use … in the library' button and answers 'not mine' for anything else", () => {
    expect(experimentAdoptButtonId(7)).toBe("experiment:adopt:7");
    expect(parseExperimentAdoptTarget("experiment:adopt:7")).toEqual({ experimentId: 7 });
    for (const id of [
      "experiment:adopt:",
      "experiment:adopt:0",
      "experiment:adopt:7x",
      "autopilot:approve:7",
    ]) {
      expect(parseExperimentAdoptTarget(id)).toBeNull();
    }
  });
});
