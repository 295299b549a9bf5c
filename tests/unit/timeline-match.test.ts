import { describe, expect, it } from "vitest";
import { findSentPost, isSamePost, mayBeOnX, onXSince } from "../../src/domain/timeline-match.ts";

// A TLD twitter-text knows: X only turns what it recognises as a link into t.co.
const tracked = "https://shop.example.com/desk?ref=herald&utm_source=x&utm_content=42";
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
    const other = "https://shop.example.com/desk?ref=herald&utm_source=x&utm_content=43";
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

  it("given a bare domain and an ampersand, matches X's form: the domain as a t.co link, & as &amp;", () => {
    const text = "Pens & paper for the desk, more at shop.example.com";
    const onX = seen("Pens &amp; paper for the desk, more at https://t.co/Zx1", [
      "http://shop.example.com",
    ]);
    expect(isSamePost(text, onX)).toBe(true);
    expect(isSamePost("Pens & paper for the desk, more at other.example.com", onX)).toBe(false);
  });

  it("given the tracked link and a bare domain in one text, needs both links to match", () => {
    const text = `Lamps & shades at lamps.example.com\n${tracked}`;
    const onX = seen("Lamps &amp; shades at https://t.co/a1\nhttps://t.co/b2", [
      "http://lamps.example.com",
      tracked,
    ]);
    expect(isSamePost(text, onX)).toBe(true);
    expect(
      isSamePost(text, seen("Lamps &amp; shades at https://t.co/a1\nhttps://t.co/b2", [tracked])),
    ).toBe(false);
  });
});

describe("whether an earlier attempt may have put a post on X", () => {
  const nine = new Date("2026-06-01T09:00:00Z");
  const noon = new Date("2026-06-01T12:00:00Z");

  it("given a first claim, does not look; given a second claim, looks from the post's time", () => {
    expect(mayBeOnX({ attempts: 1, firstAttemptAt: nine, scheduledAt: nine })).toBe(false);
    const second = { attempts: 2, firstAttemptAt: nine, scheduledAt: nine };
    expect(mayBeOnX(second)).toBe(true);
    expect(onXSince(second)).toEqual(nine);
  });

  it("given a Retry at noon of a post first tried at nine (attempts afresh), looks from nine", () => {
    const retried = { attempts: 1, firstAttemptAt: nine, scheduledAt: noon };
    expect(mayBeOnX(retried)).toBe(true);
    expect(onXSince(retried)).toEqual(nine);
  });

  it("given a post never tried, rescheduled to noon, does not look", () => {
    expect(mayBeOnX({ attempts: 1, firstAttemptAt: noon, scheduledAt: noon })).toBe(false);
    expect(mayBeOnX({ attempts: 0, firstAttemptAt: null, scheduledAt: noon })).toBe(false);
  });
});
