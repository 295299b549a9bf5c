/**
 * Using an experiment's winner (issue 13, item 4): its text joins the campaign's library as an
 * evergreen item, so autopilot posts it from then on. It goes through ContentLibrary.add, so the
 * content policy and the duplicate rule apply as to any typed item; a text the library has
 * already is named, not added twice.
 */
import type { ContentItem } from "./content-items.ts";
import type { ContentLibrary } from "./content-library.ts";
import { DomainError, isDomainError } from "./errors.ts";
import type { Verdict } from "./experiment-verdict.ts";
import type { ExperimentService, ExperimentVariant } from "./experiments.ts";

export type Adoption =
  | { outcome: "added"; variant: ExperimentVariant; item: ContentItem }
  /** The library has the winner already: an item with the same text, or the one it came from. */
  | { outcome: "present"; variant: ExperimentVariant; item: ContentItem; fromItem: boolean };

export async function adoptWinner(
  deps: {
    experiments: Pick<ExperimentService, "view">;
    library: Pick<ContentLibrary, "add" | "itemInGuild" | "itemWithText">;
  },
  guildId: string,
  experimentId: number,
  actor: string,
): Promise<Adoption> {
  // The verdict is computed now, not taken from the message the button sat on.
  const { experiment, campaign, report } = await deps.experiments.view(guildId, experimentId);
  const { verdict } = report;
  const variant =
    verdict.kind === "winner"
      ? experiment.variants.find((candidate) => candidate.label === verdict.winner)
      : undefined;
  if (variant === undefined) {
    throw new DomainError(
      "invalid_input",
      `Experiment #${experiment.id} has no winner (${noWinnerReason(verdict)}), so there is nothing to add to the library.`,
    );
  }
  if (variant.contentItemId !== null) {
    const source = await libraryItem(deps.library, guildId, variant.contentItemId);
    if (source !== null) return { outcome: "present", variant, item: source, fromItem: true };
  }
  const same = await deps.library.itemWithText(campaign.id, variant.text);
  if (same !== undefined) return { outcome: "present", variant, item: same, fromItem: false };
  const { item } = await deps.library.add(
    guildId,
    campaign.name,
    { text: variant.text, evergreen: true },
    actor,
  );
  return { outcome: "added", variant, item };
}

/** Why there is no winner, in a few words. */
function noWinnerReason(verdict: Verdict): string {
  switch (verdict.kind) {
    case "running":
      return "it is still short of its planned sample";
    case "too_few":
      return "too few clicks to tell the variants apart";
    case "no_difference":
      return "no difference was found at its sample";
    case "no_single_winner":
      return `${verdict.leaders.join(" and ")} were not told apart`;
    case "winner":
      return "its winner is not one of its variants";
  }
}

/** The item a variant came from, or null once it was removed from the library. */
async function libraryItem(
  library: Pick<ContentLibrary, "itemInGuild">,
  guildId: string,
  itemId: number,
): Promise<ContentItem | null> {
  try {
    return (await library.itemInGuild(guildId, itemId)).item;
  } catch (error) {
    if (isDomainError(error) && error.code === "item_not_found") return null;
    throw error;
  }
}
