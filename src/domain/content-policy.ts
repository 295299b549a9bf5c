import twitterText from "twitter-text";
import { DomainError } from "./errors.ts";
import { MINOR_TERMS, UNDER_EIGHTEEN_NUMBER_WORDS } from "./minor-terms.ts";
import { LINK_PLACEHOLDER } from "./spintax.ts";

/** X's limit, in its weighted characters (see weightedLength). */
export const MAX_WEIGHTED_LENGTH = 280;

/** Length as X counts it: every URL is 23, most emoji and CJK characters are 2. */
export function weightedLength(text: string): number {
  return twitterText.parseTweet(text).weightedLength;
}

/**
 * The text X receives: the link where the text has the {link} placeholder, else on a line of its
 * own at the end. (checkPostContent refuses a placeholder without a link.)
 */
export function composePostText(text: string, trackedUrl: string | null): string {
  if (trackedUrl === null) return text;
  return text.includes(LINK_PLACEHOLDER)
    ? text.replaceAll(LINK_PLACEHOLDER, trackedUrl)
    : `${text}\n${trackedUrl}`;
}

/**
 * How long a text is reserved for the team once a post has it: X refuses the same text twice on
 * one account, and its developer rules forbid identical content across accounts, so no account of
 * the team may post a text another post of the team has within this many days of it.
 */
export const DUPLICATE_WINDOW_DAYS = 30;

export interface PostContentInput {
  readonly text: string;
  /** The link appended when publishing; it counts towards the length (23, as every URL). */
  readonly trackedUrl?: string | null;
  readonly adult: boolean;
  /** A tag the campaign requires in every post, e.g. "#ad"; null when none is required. */
  readonly disclosureTag: string | null;
  /**
   * Texts of the team's posts, on any account, scheduled within DUPLICATE_WINDOW_DAYS of this one
   * (rejected and cancelled ones left out).
   */
  readonly recentTeamTexts: readonly string[];
}

/** checkPostContent's refusal, or null when the text passes: for checks that decide, not stop. */
export function policyRefusal(input: PostContentInput): DomainError | null {
  try {
    checkPostContent(input);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

/**
 * The content rules every post passes when it is queued and when it is edited. Checks run
 * from the cheapest fix to the most specific, and the first failure is thrown as a DomainError.
 */
export function checkPostContent(input: PostContentInput): { weightedLength: number } {
  if (input.text.trim().length === 0) {
    throw new DomainError("invalid_input", "The post text is empty. Write the text to post.");
  }
  if ((input.trackedUrl ?? null) === null && input.text.includes(LINK_PLACEHOLDER)) {
    throw new DomainError(
      "invalid_input",
      `The text has the ${LINK_PLACEHOLDER} placeholder but the post has no link. Give a link (or set the campaign's), or take ${LINK_PLACEHOLDER} out.`,
    );
  }

  const length = weightedLength(composePostText(input.text, input.trackedUrl ?? null));
  if (length > MAX_WEIGHTED_LENGTH) {
    throw new DomainError(
      "content_too_long",
      `The post is ${length} characters as X counts them; the limit is ${MAX_WEIGHTED_LENGTH}. ` +
        `Shorten it by ${length - MAX_WEIGHTED_LENGTH}.`,
      { weightedLength: length, limit: MAX_WEIGHTED_LENGTH },
    );
  }

  // Only adult campaigns are checked: the product is category-neutral, and "kids' lunchbox
  // ideas" is fine in a cooking campaign.
  if (input.adult) {
    const matched = findMinorReference(input.text);
    if (matched !== null) {
      // The matched term goes to the details (for logs), not to the message: echoing how an
      // obfuscated spelling was decoded would teach users how to get around the rule.
      throw new DomainError(
        "content_refused",
        "This campaign is marked adult and the text suggests minors. Posts in adult campaigns " +
          "may not suggest minors in any way; this rule cannot be turned off. Rewrite the post.",
        { matched },
      );
    }
  }

  const tag = input.disclosureTag?.trim() ?? "";
  if (tag.length > 0 && !containsTag(input.text, tag)) {
    throw new DomainError(
      "disclosure_missing",
      `This campaign requires the disclosure tag "${tag}" in every post, as a word of its own ` +
        `(for example at the end). Add "${tag}" to the text.`,
      { disclosureTag: tag },
    );
  }

  if (new RecentTexts(input.recentTeamTexts).has(input.text)) {
    throw new DomainError(
      "content_duplicate",
      `The team already has a post with the same text within ${DUPLICATE_WINDOW_DAYS} days of this one. ` +
        "X refuses the same text twice on one account, and its rules forbid the same text on " +
        "several accounts. Change the wording (spintax in a library item gives every post its own).",
    );
  }

  return { weightedLength: length };
}

/**
 * The form in which two post texts are compared for duplicates. X refuses identical text;
 * comparing without case and with whitespace runs collapsed also catches the near-identical
 * copies X tends to treat the same, before they cost a failed publish.
 */
export function normaliseForDuplicate(text: string): string {
  return text.normalize("NFC").trim().replace(/\s+/gu, " ").toLowerCase();
}

/**
 * Texts the team has used, compared as normaliseForDuplicate compares them: the duplicate rule
 * for one post, and for autopilot picking, among an item's variants, one no account has posted.
 */
export class RecentTexts {
  private readonly keys = new Set<string>();

  constructor(texts: Iterable<string> = []) {
    for (const text of texts) this.add(text);
  }

  has(text: string): boolean {
    return this.keys.has(normaliseForDuplicate(text));
  }

  /** Reserves a text, e.g. one just given to a post, so the next pick avoids it too. */
  add(text: string): void {
    this.keys.add(normaliseForDuplicate(text));
  }
}

/** True when `tag` occurs as a whole token: "#ad" is in "Deal! #AD" but not in "#adventure". */
function containsTag(text: string, tag: string): boolean {
  const escaped = tag.normalize("NFC").replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, "iu").test(
    text.normalize("NFC"),
  );
}

// --- Matching text against the list of terms that suggest minors ---------------------------

/**
 * Returns the refused term (from MINOR_TERMS) or age phrase that `text` contains, or null.
 *
 * How text is read, so that common disguises do not get around the list:
 * - Unicode: NFKC (full-width and other compatibility letters become plain ones), lower case,
 *   diacritics removed ("tëën"), invisible format characters removed (zero-width spaces and
 *   joiners, soft hyphens), and Cyrillic/Greek letters that look like Latin ones mapped to them.
 * - Leetspeak: each letter of a term also matches its usual stand-ins (0 for o, 1 for i or l,
 *   3 for e, 4 or @ for a, 5, $ or z for s, 7 or + for t, 8 for b, 9 for g, ! for i).
 * - Repeated letters: "teeeen" and "kiiids" match.
 * - Spelled-out words: a run of three or more single characters separated by anything
 *   ("t.e.e.n", "k i d s", "t_e-e n") is joined and searched. Only single characters are
 *   joined, never whole words, so "a kid" stays two words and "the en" never becomes "theen".
 * - Words: a term matches only where no letter touches it on either side, so "canteen",
 *   "nineteen", "kidney" and "childhood" pass; digits and symbols may touch it ("3kids").
 * - Ages: 1 to 17 (digits or words) followed by "yo", "y/o", "year(s) old", "years of age", or
 *   preceded by "age"/"aged", and "under 18". A number under 18 is refused whatever it
 *   describes ("12 year old whisky"): text cannot tell a person from a bottle. Numbers followed
 *   by a unit ("under 18 minutes", "aged 14 days") pass.
 *   "under 18" is refused even in a disclaimer ("no one under 18"); "18+ only" passes.
 */
export function findMinorReference(text: string): string | null {
  const { words, spelledRuns } = toMatchableText(text);
  for (const { term, asWord, insideSpelledRun } of TERM_MATCHERS) {
    if (asWord.test(words) || spelledRuns.some((run) => insideSpelledRun.test(run))) {
      return term;
    }
  }
  for (const pattern of AGE_PATTERNS) {
    const match = pattern.exec(words);
    if (match !== null) return match[0];
  }
  return null;
}

/**
 * Characters that can belong to a word: letters, digits, symbols used as letters in leetspeak,
 * and symbols that make a number a measurement ("18%", "18°c"), which the age patterns skip.
 */
const NOT_WORD_CHARS = /[^\p{L}\p{N}@$!+%€£¥°]+/u;

/** Runs of this many single characters or more are read as a spelled-out word. */
const MIN_SPELLED_RUN = 3;

/** Usual leetspeak stand-ins for letters. */
const LEET_STAND_INS: Readonly<Record<string, string>> = {
  a: "4@",
  b: "8",
  e: "3",
  g: "9",
  i: "1!",
  l: "1",
  o: "0",
  s: "5$z",
  t: "7+",
};

/**
 * Cyrillic and Greek lower-case letters that look like Latin ones; NFKC leaves them alone
 * because they are different letters, not compatibility forms.
 */
const LATIN_LOOKALIKES: Readonly<Record<string, string>> = {
  а: "a",
  в: "b",
  е: "e",
  з: "3",
  і: "i",
  ј: "j",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  ѕ: "s",
  ԁ: "d",
  ӏ: "l",
  α: "a",
  β: "b",
  ε: "e",
  ι: "i",
  κ: "k",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
};

function foldForMatching(text: string): string {
  const folded = text
    .normalize("NFKC")
    .toLowerCase()
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .replace(/\p{Cf}+/gu, "");
  return Array.from(folded, (char) => LATIN_LOOKALIKES[char] ?? char).join("");
}

interface MatchableText {
  /** The words of the text separated by single spaces, with spelled-out runs joined. */
  readonly words: string;
  /** The joined spelled-out runs, searched anywhere ("a t e e n" was meant as "a teen"). */
  readonly spelledRuns: readonly string[];
}

function toMatchableText(text: string): MatchableText {
  const tokens = foldForMatching(text)
    .split(NOT_WORD_CHARS)
    .filter((token) => token.length > 0);
  const words: string[] = [];
  const spelledRuns: string[] = [];
  let singles: string[] = [];
  const endSingles = (): void => {
    if (singles.length >= MIN_SPELLED_RUN) {
      const joined = singles.join("");
      words.push(joined);
      spelledRuns.push(joined);
    } else {
      words.push(...singles);
    }
    singles = [];
  };
  for (const token of tokens) {
    if (Array.from(token).length === 1) {
      singles.push(token);
    } else {
      endSingles();
      words.push(token);
    }
  }
  endSingles();
  return { words: words.join(" "), spelledRuns };
}

/** A term as a pattern: every letter may be repeated or leet-spelled, words may be joined. */
function termPattern(term: string): string {
  return term
    .split(" ")
    .map((word) =>
      Array.from(word, (letter) => {
        const standIns = LEET_STAND_INS[letter];
        return standIns === undefined ? `${letter}+` : `[${letter}${standIns}]+`;
      }).join(""),
    )
    .join(" ?");
}

const TERM_MATCHERS = MINOR_TERMS.map((term) => {
  const pattern = termPattern(term);
  return {
    term,
    asWord: new RegExp(`(?<!\\p{L})${pattern}(?!\\p{L})`, "u"),
    insideSpelledRun: new RegExp(pattern, "u"),
  };
});

const NUMBER_UNDER_18 = `(?:(?:1[0-7]|[1-9])(?!\\p{N})|(?:${UNDER_EIGHTEEN_NUMBER_WORDS.join("|")})(?!\\p{L}))`;

/** After a number, these make it a measurement rather than an age ("under 18 minutes"). */
const NOT_FOLLOWED_BY_UNIT =
  "(?! ?(?:[%€£¥°]|(?:sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|" +
  "mg|g|grams?|kg|oz|lbs?|pounds?|ml|l|litres?|liters?|cm|mm|m|km|ft|feet|inches|miles?|" +
  "kcal|cal|calories|percent|degrees|c|f|euros?|eur|dollars?|usd|bucks|gb|mb|tb)(?!\\p{L})))";

const AGE_PATTERNS: readonly RegExp[] = [
  // "16yo", "15 y/o", "17 years old", "sixteen-year-old", "14 years of age"
  new RegExp(
    `(?<![\\p{L}\\p{N}])${NUMBER_UNDER_18} ?(?:y ?o|(?:yrs?|years?) ?olds?|(?:yrs?|years?) of age)(?!\\p{L})`,
    "u",
  ),
  // "age 14", "aged 15", "age: 16", "at the age of fifteen"
  new RegExp(`(?<![\\p{L}\\p{N}])age[ds]? ?(?:of )?${NUMBER_UNDER_18}${NOT_FOLLOWED_BY_UNIT}`, "u"),
  // "under 18", "under-18", "under eighteen"
  new RegExp(
    `(?<![\\p{L}\\p{N}])under ?(?:18(?!\\p{N})|eighteen(?!\\p{L}))${NOT_FOLLOWED_BY_UNIT}`,
    "u",
  ),
];
