/**
 * Spintax: "{Great|Fine} {gear|kit} for {spring|autumn {walks|hikes}}" stands for every text made
 * by picking one option in each group (design.md section 12). Groups nest; `\{`, `\}`, `\|` and
 * `\\` stand for the character itself. `{link}` is not a group: it is the placeholder for the
 * post's link and survives expansion as written (composePostText fills it in).
 *
 * Written here rather than taken from npm: the spintax packages there expand at random only, and
 * Herald needs every variant enumerated (the content policy checks each one when an item is saved)
 * and the position of a syntax error for the person who typed it.
 */
import { DomainError } from "./errors.ts";

export const LINK_PLACEHOLDER = "{link}";

/** A template as parsed: literal text and groups of alternatives, each itself a sequence. */
export type SpintaxNode = string | { readonly options: readonly SpintaxSequence[] };
export type SpintaxSequence = readonly SpintaxNode[];

/** More variants than this and an item cannot be checked variant by variant: it is refused. */
export const MAX_VARIANTS = 1000;

/** Groups inside groups inside groups…: deeper than this nobody can read the template any more. */
export const MAX_NESTING = 5;

const ESCAPABLE = new Set(["{", "}", "|", "\\"]);

/** A malformed template, with the 1-based character position a person can find. */
function syntaxError(position: number, problem: string): DomainError {
  return new DomainError(
    "invalid_input",
    `The text's spintax is malformed at character ${position}: ${problem}. Write groups as {a|b|c}; type \\{ for a literal brace.`,
    { position },
  );
}

/** Parses a template, or throws a DomainError naming the position of the first error. */
export function parseSpintax(template: string): SpintaxSequence {
  let index = 0;
  // Open groups, innermost last: where each began (for the error) and the options so far.
  const open: { start: number; options: SpintaxNode[][] }[] = [];
  const root: SpintaxNode[] = [];
  const current = (): SpintaxNode[] => {
    const group = open.at(-1);
    return group === undefined ? root : (group.options.at(-1) as SpintaxNode[]);
  };
  const pushText = (text: string) => {
    const sequence = current();
    const last = sequence.at(-1);
    if (typeof last === "string") sequence[sequence.length - 1] = last + text;
    else sequence.push(text);
  };

  while (index < template.length) {
    const char = template[index] as string;
    if (char === "\\") {
      const next = template[index + 1];
      if (next === undefined || !ESCAPABLE.has(next)) {
        throw syntaxError(index + 1, "a backslash escapes only {, }, | or \\");
      }
      pushText(next);
      index += 2;
      continue;
    }
    if (template.startsWith(LINK_PLACEHOLDER, index)) {
      pushText(LINK_PLACEHOLDER);
      index += LINK_PLACEHOLDER.length;
      continue;
    }
    if (char === "{") {
      if (open.length === MAX_NESTING) {
        throw syntaxError(index + 1, `groups nest at most ${MAX_NESTING} deep`);
      }
      open.push({ start: index, options: [[]] });
    } else if (char === "|" && open.length > 0) {
      open.at(-1)?.options.push([]);
    } else if (char === "}") {
      const group = open.pop();
      if (group === undefined) throw syntaxError(index + 1, "this } closes no group");
      current().push({ options: group.options });
    } else {
      pushText(char);
    }
    index += 1;
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) throw syntaxError(unclosed.start + 1, "this { is never closed");
  return root;
}

/** How many texts the template stands for (options that read the same still count apart). */
export function countVariants(sequence: SpintaxSequence): number {
  let count = 1;
  for (const node of sequence) {
    if (typeof node === "string") continue;
    count *= node.options.reduce((sum, option) => sum + countVariants(option), 0);
  }
  return count;
}

/** Every text the template stands for, each once, in a stable order. */
export function enumerateVariants(sequence: SpintaxSequence): string[] {
  let texts = [""];
  for (const node of sequence) {
    const endings = typeof node === "string" ? [node] : node.options.flatMap(enumerateVariants);
    texts = texts.flatMap((start) => endings.map((ending) => start + ending));
  }
  return [...new Set(texts)];
}

/**
 * One text of the template: `pick(n)` chooses among n options (0 ≤ result < n), so a seeded or
 * a fair random source, or a deterministic walk, decides.
 */
export function expandSpintax(
  sequence: SpintaxSequence,
  pick: (options: number) => number,
): string {
  let text = "";
  for (const node of sequence) {
    if (typeof node === "string") {
      text += node;
      continue;
    }
    const chosen = node.options[pick(node.options.length)];
    if (chosen === undefined) throw new RangeError("pick returned an option that does not exist");
    text += expandSpintax(chosen, pick);
  }
  return text;
}
