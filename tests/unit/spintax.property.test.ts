import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkItemText } from "../../src/domain/content-items.ts";
import {
  composePostText,
  MAX_WEIGHTED_LENGTH,
  weightedLength,
} from "../../src/domain/content-policy.ts";
import { DomainError } from "../../src/domain/errors.ts";
import {
  countVariants,
  enumerateVariants,
  expandSpintax,
  LINK_PLACEHOLDER,
  MAX_VARIANTS,
  parseSpintax,
} from "../../src/domain/spintax.ts";

/** A template as the test builds it; rendered to spintax, and expanded by an independent oracle. */
type Node =
  | { kind: "text"; value: string }
  | { kind: "link" }
  | { kind: "group"; options: Node[][] };

/** Characters literal text may hold, the special ones included (they must survive, escaped). */
const literalChar = fc.constantFrom("a", "b", " ", "{", "}", "|", "\\", "é", "🌱", "\n", "#", "l");
const shortText = fc
  .string({ unit: literalChar, minLength: 1, maxLength: 6 })
  .map((value): Node => ({ kind: "text", value }));
/** Long runs push some variants past X's limit and leave others under it. */
const longText = fc
  .string({ unit: fc.constantFrom("a", "b", " "), minLength: 40, maxLength: 160 })
  .map((value): Node => ({ kind: "text", value }));

const { sequence } = fc.letrec<{ sequence: Node[]; node: Node }>((tie) => ({
  sequence: fc.array(tie("node"), { maxLength: 4 }),
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: "spintax" },
    { arbitrary: shortText, weight: 3 },
    longText,
    fc.constant<Node>({ kind: "link" }),
    // At least two options: "{link}" with one option would be the placeholder, not a group.
    fc
      .array(tie("sequence"), { minLength: 2, maxLength: 3 })
      .map((options): Node => ({ kind: "group", options })),
  ),
}));

function render(nodes: readonly Node[]): string {
  return nodes
    .map((node) => {
      if (node.kind === "text") return node.value.replace(/[{}|\\]/g, "\\$&");
      if (node.kind === "link") return LINK_PLACEHOLDER;
      return `{${node.options.map(render).join("|")}}`;
    })
    .join("");
}

/** Every text the template stands for, with repeats, computed from the tree, not the parser. */
function oracle(nodes: readonly Node[]): string[] {
  let texts = [""];
  for (const node of nodes) {
    const endings =
      node.kind === "text"
        ? [node.value]
        : node.kind === "link"
          ? [LINK_PLACEHOLDER]
          : node.options.flatMap(oracle);
    texts = texts.flatMap((start) => endings.map((ending) => start + ending));
  }
  return texts;
}

/** Templates small enough to enumerate. */
const template = sequence.filter((nodes) => oracle(nodes).length <= MAX_VARIANTS);

describe("spintax, for any template", () => {
  it("stands for exactly the texts of its tree, escaped characters surviving as themselves", () => {
    fc.assert(
      fc.property(template, (nodes) => {
        const parsed = parseSpintax(render(nodes));
        expect(countVariants(parsed)).toBe(oracle(nodes).length);
        expect(new Set(enumerateVariants(parsed))).toEqual(new Set(oracle(nodes)));
      }),
      { numRuns: 400 },
    );
  });

  it("expands, whatever the picks, to one of the enumerated variants", () => {
    fc.assert(
      fc.property(template, fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), (nodes, seeds) => {
        const parsed = parseSpintax(render(nodes));
        let next = 0;
        const text = expandSpintax(
          parsed,
          (options) => (seeds[next++ % seeds.length] ?? 0) % options,
        );
        expect(enumerateVariants(parsed)).toContain(text);
      }),
      { numRuns: 400 },
    );
  });

  it("is refused for length exactly when its longest expansion, link included, is over X's limit, and reports that length otherwise", () => {
    const outcomes = { fits: 0, tooLong: 0 };
    fc.assert(
      fc.property(
        // A long opening, so that the groups after it decide which side of the limit a variant is.
        fc.integer({ min: 180, max: 275 }),
        template,
        fc.constantFrom("https://shop.example.com/hiking/boots?ref=team", null),
        (opening, rest, link) => {
          const nodes: Node[] = [{ kind: "text", value: `${"p".repeat(opening)} ` }, ...rest];
          const variants = oracle(nodes).map((variant) => variant.trim());
          fc.pre(variants.every((variant) => variant !== ""));
          fc.pre(link !== null || variants.every((v) => !v.includes(LINK_PLACEHOLDER)));
          const longest = Math.max(
            ...variants.map((variant) => weightedLength(composePostText(variant, link))),
          );
          const check = () =>
            checkItemText(render(nodes), { adult: false, disclosureTag: null, link });
          if (longest <= MAX_WEIGHTED_LENGTH) {
            outcomes.fits += 1;
            expect(check().longestWeightedLength).toBe(longest);
          } else {
            outcomes.tooLong += 1;
            expect(check).toThrow(expect.objectContaining({ code: "content_too_long" }));
          }
        },
      ),
      { numRuns: 400 },
    );
    // Both sides of the limit were met, so the property did not hold only by never being tested.
    expect(outcomes.fits).toBeGreaterThan(20);
    expect(outcomes.tooLong).toBeGreaterThan(20);
  });

  it("given a template broken by a stray }, an unclosed { or a bad escape, is refused at that character", () => {
    const breakage = fc.constantFrom(
      { insert: "}", problem: "this } closes no group" },
      { insert: "{", problem: "this { is never closed" },
      { insert: "\\a", problem: "a backslash escapes only" },
    );
    fc.assert(
      fc.property(template, template, breakage, (before, after, { insert, problem }) => {
        const prefix = render(before);
        const broken = `${prefix}${insert}${render(after)}`;
        let refusal: unknown;
        try {
          parseSpintax(broken);
        } catch (error) {
          refusal = error;
        }
        expect(refusal).toBeInstanceOf(DomainError);
        expect((refusal as DomainError).details).toEqual({ position: prefix.length + 1 });
        expect((refusal as DomainError).message).toContain(
          `at character ${prefix.length + 1}: ${problem}`,
        );
      }),
      { numRuns: 400 },
    );
  });
});
