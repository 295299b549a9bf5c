import { describe, expect, it } from "vitest";
import {
  checkPostContent,
  composePostText,
  findMinorReference,
  MAX_WEIGHTED_LENGTH,
  normaliseForDuplicate,
  weightedLength,
} from "../../src/domain/content-policy.ts";
import { DomainError, type DomainErrorCode } from "../../src/domain/errors.ts";

interface PostOverrides {
  readonly adult?: boolean;
  readonly disclosureTag?: string | null;
  readonly recentTeamTexts?: readonly string[];
}

function check(text: string, overrides: PostOverrides = {}): { weightedLength: number } {
  return checkPostContent({
    text,
    adult: overrides.adult ?? false,
    disclosureTag: overrides.disclosureTag ?? null,
    recentTeamTexts: overrides.recentTeamTexts ?? [],
  });
}

function refusalOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, but the content was accepted");
}

function codeOf(run: () => unknown): DomainErrorCode {
  return refusalOf(run).code;
}

describe("weighted length", () => {
  it("given plain ASCII text, counts one per character", () => {
    expect(weightedLength("Fresh basil from the balcony")).toBe(28);
  });

  it("given URLs of different lengths, counts each as 23", () => {
    expect(weightedLength("https://x.co")).toBe(23);
    expect(weightedLength(`https://example.com/${"recipe/".repeat(20)}`)).toBe(23);
    expect(weightedLength("Try this https://example.com/a-very-long-path-to-a-recipe-page")).toBe(
      "Try this ".length + 23,
    );
  });

  it("given an emoji, counts it as 2", () => {
    expect(weightedLength("🌱")).toBe(2);
    expect(weightedLength("Garden 🌱")).toBe(9);
  });

  it("given CJK characters, counts each as 2", () => {
    expect(weightedLength("日本語")).toBe(6);
  });

  it(`given a text of exactly ${MAX_WEIGHTED_LENGTH}, accepts it and reports the length`, () => {
    expect(check("a".repeat(280))).toEqual({ weightedLength: 280 });
  });

  it("given a text of 281, refuses it as content_too_long saying by how much to shorten", () => {
    const refusal = refusalOf(() => check("a".repeat(281)));
    expect(refusal.code).toBe("content_too_long");
    expect(refusal.message).toBe(
      "The post is 281 characters as X counts them; the limit is 280. Shorten it by 1.",
    );
  });

  it("given emoji that push the weighted length over 280, refuses although there are fewer characters", () => {
    expect(codeOf(() => check("🌱".repeat(141)))).toBe("content_too_long");
  });
});

describe("the {link} placeholder", () => {
  const url = "https://shop.example.com/grinder?utm_source=x";

  it("given a text with {link}, puts the link there instead of on a line of its own", () => {
    expect(composePostText("Grind fresh: {link} #ad", url)).toBe(`Grind fresh: ${url} #ad`);
    expect(composePostText("Grind fresh #ad", url)).toBe(`Grind fresh #ad\n${url}`);
  });

  it("given {link} twice, puts the link in both places, each weighing 23", () => {
    const text = composePostText("{link} or {link}", url);
    expect(text).toBe(`${url} or ${url}`);
    expect(weightedLength(text)).toBe(23 + 4 + 23);
  });

  it("given {link} and a link, counts the placeholder as one URL of 23", () => {
    const base = "x".repeat(280 - 23 - 1);
    expect(checkPostContent({ ...rules(), text: `${base} {link}`, trackedUrl: url })).toEqual({
      weightedLength: 280,
    });
  });

  it("given {link} but no link, refuses it as invalid_input naming the placeholder", () => {
    const refusal = refusalOf(() => check("Grind fresh: {link}"));
    expect(refusal.code).toBe("invalid_input");
    expect(refusal.message).toContain("{link}");
  });
});

function rules() {
  return { adult: false, disclosureTag: null, recentTeamTexts: [] };
}

describe("empty text", () => {
  it.each(["", "   ", "\n\t "])("given %j, refuses it as invalid_input", (text) => {
    expect(codeOf(() => check(text))).toBe("invalid_input");
  });
});

const TEXTS_SUGGESTING_MINORS: readonly string[] = [
  // plain terms
  "Photo set with a teen model",
  "Teens night, new gallery",
  "Teenage dream themed shoot",
  "Meet the teenager next door",
  "Preteen style outfits",
  "Tween look, new set",
  "Underage theme night",
  "Under age theme tonight",
  "New set featuring minors",
  "Child star lookalike set",
  "Children's costume party set",
  "New set: the kid next door",
  "Kids theme weekend",
  "Schoolgirl uniform shoot",
  "School boy look tonight",
  "Jailbait theme",
  "Loli style gallery",
  "Lolita outfit set",
  "Shota style art",
  "High school uniform set",
  "Middle school theme",
  "Junior high look",
  "Barely legal collection",
  "Young girl look",
  "Young boys set",
  "Little girl outfit",
  // ages under 18
  "Just turned 16yo",
  "Character is 15 y/o in this story",
  "17 years old in this set",
  "Model age 14",
  "Aged 15 in the story",
  "Under 18 theme",
  "Under 18s welcome",
  "under-18 set",
  "Sixteen-year-old character",
  "17-year-old look",
  "At the age of fifteen",
  "fourteen yo",
  "16 y.o. look",
  // leetspeak
  "New t33n set",
  "7een gallery",
  "Ch1ld star set",
  "k1ds theme",
  "kidz night",
  "l0li art",
  "1oli art",
  "5h0ta art",
  "j@ilb@it theme",
  "$choolgirl set",
  "sch00lb0y look",
  "m1n0rs welcome",
  "h1gh sch00l look",
  "t33nz only",
  // separators between single letters
  "t.e.e.n set",
  "t-e-e-n gallery",
  "t e e n set",
  "t_e_e_n vibes",
  "k i d s night",
  "s.c.h.o.o.l.g.i.r.l look",
  "t 3 3 n set",
  "a t e e n look",
  "1 6 y o look",
  // invisible characters
  "te\u200Ben set",
  "ki\u200Bd\u200Bs night",
  "t\u200Ce\u200De\u2060n look",
  "tee\u00ADn set",
  // full-width, diacritics, look-alike letters
  "ｔｅｅｎ set",
  "ＫＩＤＳ theme",
  "tëën set",
  "çhïld star",
  "t\u0435\u0435n set",
  // repeated letters and mixed case
  "teeeeen set",
  "kiiiids night",
  "TeEn SeT",
  "TEENS ONLY",
  "bArElY LeGaL",
  // joined or hyphenated words, hashtags, punctuation
  "highschool look",
  "high-school look",
  "young-girl look",
  "jail bait theme",
  "#teen",
  "teen's look",
  "kids!!! new set",
];

const NEUTRAL_TEXTS: readonly string[] = [
  // contain a refused term inside a longer word
  "Lunch at the canteen was great today",
  "Canteens and water bottles compared",
  "Weekend trip to Steenbergen by bike",
  "Steenbok spotted on safari",
  "Kidney beans make this chili hearty",
  "Skidding on ice: how to stay safe on winter roads",
  "Pictures from the skid pad test drive",
  "Skid row of rental bikes outside the gym",
  "Childhood memories of grandma's apple pie",
  "That was a childish joke, sorry",
  "Just kidding, the cake survived",
  "Kidding season on the goat farm",
  "Kidderminster market haul",
  "Childress vineyard tour",
  "Kindle deals this week",
  "Nineteen tips for a tidy garden",
  "Fourteen ways to use a cast-iron pan",
  "Seventeenth-century furniture restored by hand",
  "Between us, the best coffee is made at home",
  "Tweezers are a gardener's best friend",
  "Lollipop-shaped cookies for the party",
  "Shotokan karate class tonight",
  "Mint green teeny tiny succulents",
  "Schoolhouse-style pendant lamps",
  "Middleweight boxing workout",
  "Highlights from the high-rise rooftop garden",
  // "minor" alone and other words that are fine on their own
  "Minor update: the app now syncs faster",
  "Minor key melodies for a rainy day",
  "Minority Report rewatch with popcorn",
  "The young chef won the baking contest",
  "Girls' night out: best summer cocktails",
  "A boy band reunion tour review",
  "Jail tour at Alcatraz was eerie",
  "Bait and tackle for a lake weekend",
  "Legal tips for freelancers",
  "Barely slept, coffee time",
  "School supplies for the home office",
  // numbers that are not an age under 18
  "This 18 years old whisky is smooth",
  "18 year old scotch tasting notes",
  "The 21 years old single malt is back",
  "This laptop is 18 years old and still works",
  "Turned 30 years old today, cake time",
  "Age 18+ only",
  "Only adults 18+",
  "Ready in under 18 minutes",
  "Under 18% sugar in this granola",
  "Under 180 calories per serving",
  "Under $18 for a set of knives",
  "Cheese aged 14 days",
  "Aged 12 months in oak barrels",
  "Page 14 of the manual explains it",
  "Stage 3 of the marathon plan",
  "Sixteen miles on the trail today",
  "Fifteen-minute tomato pasta",
  "Seventeen degrees and sunny",
  "The hotel is 17 km from the beach",
  "2 years of warranty on this blender",
  "A 16GB phone for travel",
  "Heat the oven to 180°C for 25 minutes",
  "Size 10 running shoes on sale",
  // single letters and separators that must not join into terms
  "The en-suite bathroom is lovely",
  "Plan A, B or C for rainy days",
  "Vitamins A, C, D and E in one smoothie",
  "U.S.A. road trip packing list",
  "1 2 3 go! Morning workout",
  "A.I. tools for your garden",
  "Rated 5 out of 5 by hikers",
  // addresses and links
  "Email me at hello@example.com",
  "Save $15 on blenders this week",
  "Bean guide: https://example.com/kidney-beans-guide",
];

describe("minor references in adult campaigns", () => {
  it("has a corpus of at least 60 texts each way", () => {
    expect(TEXTS_SUGGESTING_MINORS.length).toBeGreaterThanOrEqual(60);
    expect(NEUTRAL_TEXTS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(TEXTS_SUGGESTING_MINORS)(
    "given %j in an adult campaign, refuses it as content_refused",
    (text) => {
      expect(codeOf(() => check(text, { adult: true }))).toBe("content_refused");
    },
  );

  it.each(NEUTRAL_TEXTS)("given %j in an adult campaign, accepts it", (text) => {
    expect(findMinorReference(text)).toBeNull();
    expect(() => check(text, { adult: true })).not.toThrow();
  });

  it("given obfuscated spellings, reports the refused term they stand for", () => {
    expect(findMinorReference("t.3.3.n set")).toBe("teen");
    expect(findMinorReference("ＳＣＨＯＯＬＧＩＲＬ")).toBe("school girl");
    expect(findMinorReference("kiiiids")).toBe("kids");
    expect(findMinorReference("15 y/o")).toBe("15 y o");
  });

  it("given a refusal, says the rule cannot be turned off and does not repeat the matched term", () => {
    const refusal = refusalOf(() => check("New t33n set", { adult: true }));
    expect(refusal.message).toContain("suggests minors");
    expect(refusal.message).toContain("cannot be turned off");
    expect(refusal.message).not.toMatch(/t33n|teen/i);
    expect(refusal.details).toEqual({ matched: "teen" });
  });
});

describe("minor references in non-adult campaigns", () => {
  it.each([
    "Kids' lunchbox ideas for busy mornings",
    "Teen-approved smoothie recipes",
    "High school reunion packing list",
    ...TEXTS_SUGGESTING_MINORS.slice(0, 5),
  ])("given %j in a non-adult campaign, accepts it", (text) => {
    expect(() => check(text, { adult: false })).not.toThrow();
  });
});

describe("disclosure tag", () => {
  it("given a required tag present in the text, accepts the post", () => {
    expect(() => check("Best blender of the year #ad", { disclosureTag: "#ad" })).not.toThrow();
  });

  it("given a required tag followed by punctuation, accepts the post", () => {
    expect(() => check("#ad: best blender of the year.", { disclosureTag: "#ad" })).not.toThrow();
  });

  it("given a required tag in another case, accepts the post", () => {
    expect(() => check("Best blender of the year #AD", { disclosureTag: "#ad" })).not.toThrow();
  });

  it("given a required tag missing from the text, refuses it as disclosure_missing naming the tag", () => {
    const refusal = refusalOf(() => check("Best blender of the year", { disclosureTag: "#ad" }));
    expect(refusal.code).toBe("disclosure_missing");
    expect(refusal.message).toContain('"#ad"');
  });

  it('given "#adventure" when "#ad" is required, refuses it because the tag is not a whole token', () => {
    expect(codeOf(() => check("Gear for your next #adventure", { disclosureTag: "#ad" }))).toBe(
      "disclosure_missing",
    );
  });

  it("given no required tag, accepts a post without one", () => {
    expect(() => check("Gear for your next trip", { disclosureTag: null })).not.toThrow();
  });
});

describe("duplicates within 30 days, across the team's accounts", () => {
  const recent = ["Three easy ways to cook rice"];

  it("given the same text with different case and spacing, refuses it as content_duplicate", () => {
    const refusal = refusalOf(() =>
      check("  three EASY ways\n to   cook rice ", { recentTeamTexts: recent }),
    );
    expect(refusal.code).toBe("content_duplicate");
    expect(refusal.message).toContain("30 days");
  });

  it("given a different text, accepts it", () => {
    expect(() =>
      check("Three easy ways to cook quinoa", { recentTeamTexts: recent }),
    ).not.toThrow();
  });

  it("given texts differing only in case and whitespace, normalises them to the same form", () => {
    expect(normaliseForDuplicate("Hello\t World ")).toBe(normaliseForDuplicate("hello world"));
    expect(normaliseForDuplicate("Hello world")).not.toBe(normaliseForDuplicate("Hello world!"));
  });
});
