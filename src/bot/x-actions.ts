import {
  ActionRowBuilder,
  ButtonBuilder,
  type ButtonInteraction,
  ButtonStyle,
  type InteractionEditReplyOptions,
} from "discord.js";
import type { Campaign } from "../domain/campaigns.ts";
import { requireRole } from "../domain/roles.ts";
import type { XAccount } from "../domain/x-accounts.ts";
import { actorOf, auditActor } from "./actor.ts";
import type { BotContext, Reply } from "./context.ts";
import { xDisconnectButtonId } from "./custom-ids.ts";
import { campaignNames, heldBy } from "./team-notices.ts";

/** The live campaigns that post as the account: what disconnecting it holds. */
export async function campaignsOn(ctx: BotContext, xAccountId: number): Promise<Campaign[]> {
  return (await ctx.campaigns.list(ctx.guildId)).filter(
    (campaign) => campaign.xAccountId === xAccountId && campaign.status !== "archived",
  );
}

/** `/x disconnect`'s answer: which campaigns it holds, and the button that does it. */
export function disconnectConfirmation(
  account: XAccount,
  campaigns: readonly Campaign[],
): InteractionEditReplyOptions {
  const holds =
    campaigns.length === 0
      ? "No campaign posts as it."
      : `Campaigns on it: ${campaignNames(campaigns)}. Their approved posts wait until it is reconnected.`;
  return {
    content: [
      `Disconnect @${account.handle}? ${holds}`,
      "Reconnecting it with /x connect (the same X account) ends the hold.",
    ].join("\n"),
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder()
          .setCustomId(xDisconnectButtonId(account.id))
          .setLabel(`Disconnect @${account.handle}`.slice(0, 80))
          .setStyle(ButtonStyle.Danger),
      ),
    ],
  };
}

/**
 * The Confirm button: the permission is checked again on the press, since it may have been
 * taken away meanwhile. The approval channel is told once (written with the disconnect), where
 * the team sees posts wait.
 */
export async function runDisconnect(
  xAccountId: number,
  interaction: ButtonInteraction,
  ctx: BotContext,
): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "admin", "disconnect X accounts");
  const { account, held } = await ctx.accounts.disconnect(
    ctx.guildId,
    xAccountId,
    auditActor(interaction),
  );
  return { content: `Disconnected @${account.handle}. ${heldBy(held)}` };
}
