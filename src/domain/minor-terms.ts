/**
 * The one list of terms that suggest minors. Posts in adult campaigns that contain any of them
 * are refused (see content-policy.ts for how text is matched against it). The list is data in
 * code on purpose: it is not read from configuration, the environment or the database, and
 * nothing exported here can switch it off or change it at run time (the arrays are frozen).
 *
 * Decisions on ambiguous words (each one trades a few refused neutral posts for fewer missed
 * references; only adult campaigns are checked, so the cost of a false refusal is a rewrite):
 * - Terms match whole words only: "canteen", "nineteen", "Steenbergen", "kidney", "kidding",
 *   "skidding", "childish", "childhood", "between" and "lollipop" pass.
 * - "minor" alone is not listed: it is everyday wording ("minor update", "A minor"). Only the
 *   plural "minors" is, which in practice means people.
 * - "kid", "tween", "lolita" and "shota" are refused even in their other senses (kid leather,
 *   animation tweening, the novel, the given name), because in an adult campaign the reading
 *   that suggests minors cannot be ruled out.
 * - Multi-word terms also match written as one word or with any separator ("highschool",
 *   "high-school"), so "schoolgirl" and "school girl" are one entry.
 */
export const MINOR_TERMS: readonly string[] = Object.freeze([
  "teen",
  "teens",
  "teenage",
  "teenaged",
  "teenager",
  "teenagers",
  "preteen",
  "preteens",
  "tween",
  "tweens",
  "under age",
  "underaged",
  "minors",
  "child",
  "children",
  "kid",
  "kids",
  "kiddie",
  "kiddies",
  "school girl",
  "school girls",
  "school boy",
  "school boys",
  "jail bait",
  "loli",
  "lolis",
  "lolita",
  "lolicon",
  "shota",
  "shotas",
  "shotacon",
  "high school",
  "high schooler",
  "high schoolers",
  "middle school",
  "middle schooler",
  "middle schoolers",
  "junior high",
  "barely legal",
  "young girl",
  "young girls",
  "young boy",
  "young boys",
  "little girl",
  "little girls",
  "little boy",
  "little boys",
]);

/**
 * Ages under 18 written as words, for phrases like "sixteen year old" or "age fourteen". Ages
 * written as digits (1 to 17) are matched by pattern in content-policy.ts.
 */
export const UNDER_EIGHTEEN_NUMBER_WORDS: readonly string[] = Object.freeze([
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
]);
