import type { ButtonInteraction } from "discord.js";
import { adoptWinner } from "../domain/experiment-adoption.ts";
import { requireRole } from "../domain/roles.ts";
import { actorOf, auditActor } from "./actor.ts";
import type { BotContext, Reply } from "./context.ts";

/** "Use B in the library": the winner's text becomes an evergreen library item. */
export async function runExperimentAdopt(
  experimentId: number,
  interaction: ButtonInteraction,
  ctx: BotContext,
): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "content_manager", "add texts to the library");
  const adoption = await adoptWinner(
    { experiments: ctx.experiments, library: ctx.content },
    ctx.guildId,
    experimentId,
    auditActor(interaction),
  );
  const { variant, item } = adoption;
  if (adoption.outcome === "added") {
    return `Added variant ${variant.label} to the library as evergreen item #${item.id}: autopilot can post it from now on. /content show item:${item.id} shows it.`;
  }
  return adoption.fromItem
    ? `Variant ${variant.label} came from library item #${item.id}, which is in the library already; nothing was added.`
    : `Library item #${item.id} has variant ${variant.label}'s text already; nothing was added.`;
}
