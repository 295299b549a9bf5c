import { describe, expect, it } from "vitest";
import { findSentPost, isSamePost } from "../../src/domain/timeline-match.ts";

const tracked = "https://shop.example/desk?ref=herald&utm_source=x&utm_content=42";
const sent = `A tidy desk in five minutes\n${tracked}`;
const seen = (text: string, expandedUrls: string[]) => ({
  id: "1790000000000000001",
  text,
  createdAt: new Date(),
  links: expandedUrls.map((expandedUrl, i) => ({ url: `https://t.co/link${i}`, expandedUrl })),
});

describe("finding a sent post on the timeline", () => {
  it("matches X's t.co form of the text through the expanded URL", () => {
    expect(
      isSamePost(sent, seen("A tidy desk in five minutes\nhttps://t.co/AbCdEfGhIj", [tracked])),
    ).toBe(true);
  });

  it("does not match the raw text alone when the link differs", () => {
    const other = "https://shop.example/desk?ref=herald&utm_source=x&utm_content=43";
    expect(isSamePost(sent, seen("A tidy desk in five minutes https://t.co/x", [other]))).toBe(
      false,
    );
  });

  it("does not match different text with the same link", () => {
    expect(isSamePost(sent, seen("A tidy desk in ten minutes https://t.co/x", [tracked]))).toBe(
      false,
    );
  });

  it("matches a post without links by its text", () => {
    expect(findSentPost("Plain words", [seen("Other", []), seen("Plain words", [])])?.text).toBe(
      "Plain words",
    );
    expect(findSentPost("Plain words", [seen("Other", [])])).toBeNull();
  });
});
