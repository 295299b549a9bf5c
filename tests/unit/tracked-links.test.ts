import { describe, expect, it } from "vitest";
import {
  CODE_PATTERN,
  newClickId,
  newTrackingCode,
  redirectLocation,
  trackedLinkUrl,
} from "../../src/domain/tracked-links.ts";

describe("tracked-link codes and click ids", () => {
  it("given 10,000 codes and click ids, each is base62 of its length and none repeats", () => {
    const codes = Array.from({ length: 10_000 }, newTrackingCode);
    const clickIds = Array.from({ length: 10_000 }, newClickId);
    expect(codes.every((code) => /^[0-9A-Za-z]{10}$/.test(code) && CODE_PATTERN.test(code))).toBe(
      true,
    );
    expect(clickIds.every((id) => /^[0-9A-Za-z]{20}$/.test(id))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(clickIds).size).toBe(clickIds.length);
    // Every character of the alphabet turns up: nothing is left out by the byte mapping.
    expect(new Set(codes.join("")).size).toBe(62);
  });

  it("given a public URL with or without a path, the link is <url>/r/<code>", () => {
    expect(trackedLinkUrl(new URL("https://go.example.com"), "abcdEFGH12")).toBe(
      "https://go.example.com/r/abcdEFGH12",
    );
    expect(trackedLinkUrl(new URL("https://example.com/herald"), "abcdEFGH12")).toBe(
      "https://example.com/herald/r/abcdEFGH12",
    );
  });

  it("given a stored URL that already has the click parameter, the click id replaces it and the rest is kept", () => {
    const location = redirectLocation(
      "https://shop.example.com/a?subid=old&utm_source=x",
      "subid",
      "NewClickId0000000000",
    );
    expect(location).toBe("https://shop.example.com/a?subid=NewClickId0000000000&utm_source=x");
  });
});
