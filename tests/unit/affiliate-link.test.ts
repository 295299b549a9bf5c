import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildTrackedUrl,
  MAX_URL_LENGTH,
  type UtmTags,
  validateAffiliateUrl,
} from "../../src/domain/affiliate-link.ts";
import { DomainError } from "../../src/domain/errors.ts";

const UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign", "utm_content"];

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, but nothing was thrown");
}

function withoutUtm(url: string): [string, string][] {
  return [...new URL(url).searchParams].filter(([key]) => !UTM_KEYS.includes(key));
}

describe("validateAffiliateUrl", () => {
  it("given a link with spaces around it, returns it trimmed and parsed", () => {
    const url = validateAffiliateUrl("  https://shop.example.com/item/42?ref=abc \n");
    expect(url.href).toBe("https://shop.example.com/item/42?ref=abc");
  });

  it("given an http link with a port and upper-case scheme and host, accepts it normalised", () => {
    expect(validateAffiliateUrl("HTTP://Shop.Example.COM:8080/a").href).toBe(
      "http://shop.example.com:8080/a",
    );
  });

  it.each([
    ["a link without a scheme", "www.example.com/item"],
    ["plain words", "buy now"],
  ])("given %s, refuses it and asks for https://", (_situation, input) => {
    const error = refusal(() => validateAffiliateUrl(input));
    expect(error.code).toBe("invalid_link");
    expect(error.message).toContain("The link must start with https:// or http://");
  });

  it.each([
    ["javascript:", "javascript:alert(document.cookie)"],
    ["ftp:", "ftp://files.example.com/report.pdf"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["mailto:", "mailto:sales@example.com"],
  ])("given a %s link, refuses it and names the scheme", (scheme, input) => {
    const error = refusal(() => validateAffiliateUrl(input));
    expect(error.code).toBe("invalid_link");
    expect(error.message).toContain("The link must start with https:// or http://");
    expect(error.message).toContain(scheme);
  });

  it.each([
    "https://user:secret@shop.example.com/item",
    "https://user@shop.example.com/item",
    "https://:secret@shop.example.com/item",
  ])("given a link with credentials (%s), asks to remove them", (input) => {
    const error = refusal(() => validateAffiliateUrl(input));
    expect(error.code).toBe("invalid_link");
    expect(error.message).toContain("Remove the user name and password from the link");
    expect(error.message).not.toContain("secret");
  });

  it("given a link of 3,012 characters, refuses it with its length and the limit", () => {
    const input = `https://shop.example.com/${"a".repeat(3012 - 25)}`;
    expect(input).toHaveLength(3012);
    const error = refusal(() => validateAffiliateUrl(input));
    expect(error.code).toBe("invalid_link");
    expect(error.message).toContain("The link is 3,012 characters; the limit is 2,048");
  });

  it("given a link of exactly 2,048 characters, accepts it", () => {
    const input = `https://shop.example.com/${"a".repeat(MAX_URL_LENGTH - 25)}`;
    expect(validateAffiliateUrl(input).href).toHaveLength(MAX_URL_LENGTH);
  });

  it("given a short link that grows over the limit once percent-encoded, refuses it", () => {
    const input = `https://shop.example.com/${"é".repeat(400)}`;
    expect(input.length).toBeLessThan(MAX_URL_LENGTH);
    const error = refusal(() => validateAffiliateUrl(input));
    expect(error.code).toBe("invalid_link");
    expect(error.message).toContain("The link is 2,425 characters; the limit is 2,048");
  });

  it.each(["http://localhost:3000/item", "https://shop/item", "https://example./item"])(
    "given a host without a domain name (%s), refuses it",
    (input) => {
      const error = refusal(() => validateAffiliateUrl(input));
      expect(error.code).toBe("invalid_link");
      expect(error.message).toContain("public domain name such as example.com");
    },
  );

  it.each(["http://127.0.0.1/item", "http://[::1]/item", "http://123/item"])(
    "given an IP address as host (%s), refuses it",
    (input) => {
      const error = refusal(() => validateAffiliateUrl(input));
      expect(error.code).toBe("invalid_link");
      expect(error.message).toContain("not an IP address");
    },
  );

  it.each(["https://exa mple.com/item", "https://", "http://[::1/"])(
    "given an unparsable link (%s), says it is not a valid web address",
    (input) => {
      const error = refusal(() => validateAffiliateUrl(input));
      expect(error.code).toBe("invalid_link");
      expect(error.message).toContain("not a valid web address");
    },
  );

  it("given only spaces, says the link is empty", () => {
    const error = refusal(() => validateAffiliateUrl("   "));
    expect(error.code).toBe("invalid_link");
    expect(error.message).toContain("The link is empty");
  });
});

describe("buildTrackedUrl", () => {
  it("given a link without a query, appends the tags with source x and medium social", () => {
    expect(buildTrackedUrl("https://shop.example.com/item/42", { campaign: "spring-sale" })).toBe(
      "https://shop.example.com/item/42?utm_source=x&utm_medium=social&utm_campaign=spring-sale",
    );
  });

  it("given a link with a query, keeps its parameters first and in order", () => {
    expect(
      buildTrackedUrl("https://shop.example.com/p?ref=abc&size=m", {
        campaign: "spring",
        content: "post-7",
      }),
    ).toBe(
      "https://shop.example.com/p?ref=abc&size=m&utm_source=x&utm_medium=social&utm_campaign=spring&utm_content=post-7",
    );
  });

  it("given source and medium, uses them instead of the defaults", () => {
    const tracked = buildTrackedUrl("https://shop.example.com/", {
      source: "x-promo",
      medium: "paid",
      campaign: "c",
    });
    expect(tracked).toBe(
      "https://shop.example.com/?utm_source=x-promo&utm_medium=paid&utm_campaign=c",
    );
  });

  it("given an existing utm_source (twice), replaces it in place once", () => {
    expect(
      buildTrackedUrl("https://a.example/?utm_source=newsletter&id=1&utm_source=again", {
        campaign: "c",
      }),
    ).toBe("https://a.example/?utm_source=x&id=1&utm_medium=social&utm_campaign=c");
  });

  it("given an existing utm_content and no content tag, keeps it", () => {
    expect(buildTrackedUrl("https://a.example/?utm_content=banner", { campaign: "c" })).toBe(
      "https://a.example/?utm_content=banner&utm_source=x&utm_medium=social&utm_campaign=c",
    );
  });

  it("given an existing utm_content and a content tag, replaces it", () => {
    expect(
      buildTrackedUrl("https://a.example/?utm_content=banner", { campaign: "c", content: "p9" }),
    ).toBe("https://a.example/?utm_content=p9&utm_source=x&utm_medium=social&utm_campaign=c");
  });

  it("given repeated keys, empty values and a bare key, keeps them all in order", () => {
    const tracked = buildTrackedUrl("https://a.example/?tag=a&tag=b&empty=&flag&tag=c", {
      campaign: "c",
    });
    expect(tracked).toBe(
      "https://a.example/?tag=a&tag=b&empty=&flag=&tag=c&utm_source=x&utm_medium=social&utm_campaign=c",
    );
    expect(withoutUtm(tracked)).toEqual([
      ["tag", "a"],
      ["tag", "b"],
      ["empty", ""],
      ["flag", ""],
      ["tag", "c"],
    ]);
  });

  it("given a fragment, keeps it after the query", () => {
    expect(buildTrackedUrl("https://a.example/p?x=1#reviews", { campaign: "c" })).toBe(
      "https://a.example/p?x=1&utm_source=x&utm_medium=social&utm_campaign=c#reviews",
    );
    expect(buildTrackedUrl("https://a.example/p#top", { campaign: "c" })).toBe(
      "https://a.example/p?utm_source=x&utm_medium=social&utm_campaign=c#top",
    );
  });

  it("given percent-encoded and Unicode paths and parameters, keeps their meaning", () => {
    const tracked = new URL(
      buildTrackedUrl(
        "https://shop.example.com/caf%C3%A9/ñandú?q=caf%C3%A9%20cr%C3%A8me&emoji=🎉&plus=a%2Bb&amp=x%26y",
        { campaign: "été", content: "post 1&2" },
      ),
    );
    expect(decodeURIComponent(tracked.pathname)).toBe("/café/ñandú");
    expect([...tracked.searchParams]).toEqual([
      ["q", "café crème"],
      ["emoji", "🎉"],
      ["plus", "a+b"],
      ["amp", "x&y"],
      ["utm_source", "x"],
      ["utm_medium", "social"],
      ["utm_campaign", "été"],
      ["utm_content", "post 1&2"],
    ]);
  });

  it("given an internationalised domain name, keeps the host (as punycode)", () => {
    const tracked = buildTrackedUrl("https://bücher.example/angebot", { campaign: "c" });
    expect(tracked).toBe(
      "https://xn--bcher-kva.example/angebot?utm_source=x&utm_medium=social&utm_campaign=c",
    );
  });

  it("given tags with spaces around them, trims them; empty optional tags fall back", () => {
    expect(
      buildTrackedUrl("https://a.example/", {
        source: " ",
        medium: "",
        campaign: " spring ",
        content: "  ",
      }),
    ).toBe("https://a.example/?utm_source=x&utm_medium=social&utm_campaign=spring");
  });

  it("given its own output and the same tags, returns the same string", () => {
    const tags: UtmTags = { campaign: "spring", content: "post-3" };
    const once = buildTrackedUrl("https://a.example/p?a=1&a=&b=%20x#f", tags);
    expect(buildTrackedUrl(once, tags)).toBe(once);
  });

  it("given an empty campaign, refuses with invalid_link", () => {
    const error = refusal(() => buildTrackedUrl("https://a.example/", { campaign: "  " }));
    expect(error.code).toBe("invalid_link");
    expect(error.message).toContain("utm_campaign");
  });

  it("given a query escape that is not UTF-8, refuses instead of changing it", () => {
    const error = refusal(() => buildTrackedUrl("https://a.example/?q=caf%E9", { campaign: "c" }));
    expect(error.code).toBe("invalid_link");
    expect(error.message).toContain("not UTF-8");
  });

  it("given a lone percent sign in the query, keeps its meaning", () => {
    const tracked = buildTrackedUrl("https://a.example/?discount=50%", { campaign: "c" });
    expect(new URL(tracked).searchParams.get("discount")).toBe("50%");
  });

  it("given a link the tags push over 2,048 characters, refuses with the tracked length", () => {
    const input = `https://shop.example.com/${"a".repeat(MAX_URL_LENGTH - 25)}`;
    const error = refusal(() => buildTrackedUrl(input, { campaign: "spring" }));
    expect(error.code).toBe("invalid_link");
    expect(error.message).toBe(
      "With tracking tags the link is 2,099 characters; the limit is 2,048. Use a shorter link.",
    );
  });

  it.each(["javascript:alert(1)", "https://u:p@a.example/", "http://localhost/"])(
    "given a refused link (%s), refuses with invalid_link",
    (input) => {
      expect(refusal(() => buildTrackedUrl(input, { campaign: "c" })).code).toBe("invalid_link");
    },
  );
});

describe("buildTrackedUrl properties", () => {
  const text = fc.string({ unit: "binary", maxLength: 12 });
  const key = fc.oneof(text, fc.constantFrom(...UTM_KEYS, "ref", "tag", "UTM_SOURCE", ""));
  const queryEntries = fc.array(fc.tuple(key, text), { maxLength: 8 });
  const tagText = fc
    .string({ unit: "binary", minLength: 1, maxLength: 16 })
    .filter((value) => value.trim() !== "");
  const fullTags = fc.record({
    source: tagText,
    medium: tagText,
    campaign: tagText,
    content: tagText,
  });
  const webUrl = fc.webUrl({
    withQueryParameters: true,
    withFragments: true,
    authoritySettings: { withPort: true },
  });

  /** A web URL, with arbitrary key/value pairs appended through URLSearchParams when any. */
  const original = fc.tuple(webUrl, queryEntries).map(([base, entries]) => {
    if (entries.length === 0) return base;
    const url = new URL(base);
    for (const [k, v] of entries) url.searchParams.append(k, v);
    return url.href;
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(original, fullTags, (url, tags) => {
        const once = buildTrackedUrl(url, tags);
        expect(buildTrackedUrl(once, tags)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every non-utm parameter with its value, in order, and the origin, path and fragment", () => {
    fc.assert(
      fc.property(original, fullTags, (url, tags) => {
        const tracked = buildTrackedUrl(url, tags);
        expect(withoutUtm(tracked)).toEqual(withoutUtm(url));
        const before = new URL(url);
        const after = new URL(tracked);
        expect([after.origin, after.pathname, after.hash]).toEqual([
          before.origin,
          before.pathname,
          before.hash,
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it("sets each of the four utm parameters exactly once, to the trimmed tag", () => {
    fc.assert(
      fc.property(original, fullTags, (url, tags) => {
        const params = new URL(buildTrackedUrl(url, tags)).searchParams;
        expect(params.getAll("utm_source")).toEqual([tags.source.trim()]);
        expect(params.getAll("utm_medium")).toEqual([tags.medium.trim()]);
        expect(params.getAll("utm_campaign")).toEqual([tags.campaign.trim()]);
        expect(params.getAll("utm_content")).toEqual([tags.content.trim()]);
      }),
      { numRuns: 300 },
    );
  });

  it("returns a link of at most 2,048 characters, and refuses exactly when it would be longer", () => {
    const longOriginal = fc
      .tuple(webUrl, fc.integer({ min: 1800, max: 2100 }))
      .map(([base, padding]) => {
        const url = new URL(base);
        url.pathname = `${url.pathname.replace(/\/$/, "")}/${"p".repeat(padding)}`;
        return url.href;
      });
    const outcomes = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(longOriginal, fullTags, (url, tags) => {
        // The same tags added independently, with the URL API, to learn the expected length.
        const reference = new URL(url);
        for (const name of UTM_KEYS) reference.searchParams.delete(name);
        reference.searchParams.append("utm_source", tags.source.trim());
        reference.searchParams.append("utm_medium", tags.medium.trim());
        reference.searchParams.append("utm_campaign", tags.campaign.trim());
        reference.searchParams.append("utm_content", tags.content.trim());
        const tooLong = url.length > MAX_URL_LENGTH || reference.href.length > MAX_URL_LENGTH;

        let tracked: string | undefined;
        let error: unknown;
        try {
          tracked = buildTrackedUrl(url, tags);
        } catch (caught) {
          error = caught;
        }
        if (tooLong) {
          outcomes.refused += 1;
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe("invalid_link");
          expect((error as DomainError).message).toContain("the limit is 2,048");
        } else {
          outcomes.accepted += 1;
          expect(error).toBeUndefined();
          expect(tracked).toHaveLength(reference.href.length);
          expect(tracked?.length).toBeLessThanOrEqual(MAX_URL_LENGTH);
        }
      }),
      { numRuns: 300 },
    );
    // Both sides of the limit were exercised.
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
