import {
  type ButtonInteraction,
  DiscordAPIError,
  type Interaction,
  type InteractionEditReplyOptions,
  MessageFlags,
  type ModalBuilder,
  type ModalSubmitInteraction,
  RESTJSONErrorCodes,
  type RepliableInteraction,
} from "discord.js";
import { z } from "zod";
import { isDomainError } from "../domain/errors.ts";
import { requireRole } from "../domain/roles.ts";
import { actorOf, auditActor } from "./actor.ts";
import { runAutopilotAction } from "./autopilot-actions.ts";
import { runCampaignAction } from "./campaign-actions.ts";
import { campaignsPage } from "./commands/campaign.ts";
import { submitExperimentForm } from "./commands/experiment.ts";
import { postsPage, submitQueueForm } from "./commands/post.ts";
import { OWNS_APP_HINT, X_CONNECT_FIELDS } from "./commands/x.ts";
import { contentPage, runContentImport, submitContentForm } from "./content-actions.ts";
import type { BotContext, Command, Reply } from "./context.ts";
import {
  type PageTarget,
  parseAutopilotTarget,
  parseCampaignTarget,
  parseContentFormId,
  parseContentImportTarget,
  parseExperimentAdoptTarget,
  parseExperimentFormId,
  parsePageTarget,
  parsePostTarget,
  parseQueueFormId,
  parseXDisconnectTarget,
  X_CONNECT_MODAL_ID,
} from "./custom-ids.ts";
import { runExperimentAdopt } from "./experiment-actions.ts";
import { parseOptions } from "./options.ts";
import { checkPostPermission, opensModal, postModal, runPostAction } from "./post-actions.ts";
import { runDisconnect } from "./x-actions.ts";

const UNEXPECTED =
  "Something went wrong on Herald's side; it has been logged. Try again in a minute.";

function asReply(reply: Reply): InteractionEditReplyOptions {
  return typeof reply === "string" ? { content: reply } : reply;
}

/**
 * The one interactionCreate handler: refuses other guilds, defers before any database or X work,
 * routes to commands, buttons and forms, and turns every refusal into an ephemeral message.
 */
export function createDispatcher(commands: readonly Command[], ctx: BotContext) {
  const byName = new Map(commands.map((command) => [command.data.name, command]));

  async function answer(
    interaction: RepliableInteraction,
    work: () => Promise<Reply>,
  ): Promise<void> {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    }
    let reply: Reply;
    try {
      reply = await work();
    } catch (error) {
      if (!isDomainError(error)) throw error;
      reply = error.message;
    }
    await interaction.editReply(asReply(reply));
  }

  /**
   * Previous / Next on a list: the new page replaces the list in its message (a deferred update,
   * then an edit of that message) instead of arriving as another reply. A refusal leaves the
   * list as it was and tells only the person who pressed.
   */
  async function turnPage(interaction: ButtonInteraction, target: PageTarget): Promise<void> {
    await interaction.deferUpdate();
    let page: Reply;
    try {
      page =
        target.list === "posts"
          ? await postsPage(ctx, target)
          : target.list === "content"
            ? await contentPage(ctx, target)
            : await campaignsPage(ctx, target.offset);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      await interaction.followUp({ content: error.message, flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.editReply(asReply(page));
  }

  /**
   * A button whose outcome replaces the message it sits on (the Import button: the preview
   * becomes "Imported 47 items"); a refusal leaves the message and tells only the presser.
   */
  async function updateInPlace(
    interaction: ButtonInteraction,
    work: () => Promise<Reply>,
  ): Promise<void> {
    await interaction.deferUpdate();
    let reply: Reply;
    try {
      reply = await work();
    } catch (error) {
      if (!isDomainError(error)) throw error;
      await interaction.followUp({ content: error.message, flags: MessageFlags.Ephemeral });
      return;
    }
    await interaction.editReply(asReply(reply));
  }

  async function route(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) {
      const command = byName.get(interaction.commandName);
      await command?.autocomplete?.(interaction, ctx);
      return;
    }
    if (interaction.isChatInputCommand()) {
      const command = byName.get(interaction.commandName);
      if (command === undefined) {
        await interaction.reply({
          content: "Herald does not know this command.",
          flags: MessageFlags.Ephemeral,
        });
        return;
      }
      let modal: ModalBuilder | null | undefined;
      try {
        modal = await command.modal?.(interaction, ctx);
      } catch (error) {
        if (!isDomainError(error)) throw error;
        await interaction.reply({ content: error.message, flags: MessageFlags.Ephemeral });
        return;
      }
      if (modal) {
        await interaction.showModal(modal);
        return;
      }
      await answer(interaction, () => command.execute(interaction, ctx));
      return;
    }
    if (interaction.isButton()) {
      const page = parsePageTarget(interaction.customId);
      if (page !== null) {
        await turnPage(interaction, page);
        return;
      }
      const campaignTarget = parseCampaignTarget(interaction.customId);
      if (campaignTarget !== null) {
        await answer(interaction, () => runCampaignAction(campaignTarget, interaction, ctx));
        return;
      }
      const autopilotTarget = parseAutopilotTarget(interaction.customId);
      if (autopilotTarget !== null) {
        await answer(interaction, () => runAutopilotAction(autopilotTarget, interaction, ctx));
        return;
      }
      const adopt = parseExperimentAdoptTarget(interaction.customId);
      if (adopt !== null) {
        await answer(interaction, () => runExperimentAdopt(adopt.experimentId, interaction, ctx));
        return;
      }
      const contentImport = parseContentImportTarget(interaction.customId);
      if (contentImport !== null) {
        await updateInPlace(interaction, () =>
          runContentImport(contentImport.importId, interaction, ctx),
        );
        return;
      }
      const disconnect = parseXDisconnectTarget(interaction.customId);
      if (disconnect !== null) {
        await answer(interaction, () => runDisconnect(disconnect.xAccountId, interaction, ctx));
        return;
      }
      const target = parsePostTarget(interaction.customId);
      if (target === null || target.kind !== "button") {
        await interaction.reply({
          content: "This button is no longer in use.",
          flags: MessageFlags.Ephemeral,
        });
        return;
      }
      if (opensModal(target)) {
        // A form must be Discord's first answer; the role check and the post are indexed reads.
        let modal: ModalBuilder;
        try {
          await checkPostPermission(target, interaction, ctx);
          modal = await postModal(target, ctx);
        } catch (error) {
          if (!isDomainError(error)) throw error;
          await interaction.reply({ content: error.message, flags: MessageFlags.Ephemeral });
          return;
        }
        await interaction.showModal(modal);
        return;
      }
      await answer(interaction, () => runPostAction(target, interaction, ctx));
      return;
    }
    if (interaction.isModalSubmit()) {
      if (interaction.customId === X_CONNECT_MODAL_ID) {
        await answer(interaction, () => connectX(interaction, ctx));
        return;
      }
      const contentForm = parseContentFormId(interaction.customId);
      if (contentForm !== null) {
        await answer(interaction, () => submitContentForm(interaction, contentForm, ctx));
        return;
      }
      const experimentForm = parseExperimentFormId(interaction.customId);
      if (experimentForm !== null) {
        await answer(interaction, () => submitExperimentForm(interaction, experimentForm, ctx));
        return;
      }
      const formId = parseQueueFormId(interaction.customId);
      if (formId !== null) {
        await answer(interaction, () => submitQueueForm(interaction, formId, ctx));
        return;
      }
      const target = parsePostTarget(interaction.customId);
      if (target === null || target.kind !== "modal") {
        await interaction.reply({
          content: "This form is no longer in use.",
          flags: MessageFlags.Ephemeral,
        });
        return;
      }
      await answer(interaction, () => runPostAction(target, interaction, ctx));
    }
  }

  return async function dispatch(interaction: Interaction): Promise<void> {
    const log = ctx.logger.child({ interaction: interaction.id, user: interaction.user.id });
    try {
      if (interaction.guildId !== ctx.guildId) {
        if (interaction.isRepliable()) {
          await interaction.reply({
            content: "Herald only works in the server it was set up for.",
            flags: MessageFlags.Ephemeral,
          });
        }
        return;
      }
      await route(interaction);
    } catch (error) {
      if (answeredElsewhere(error, interaction)) {
        // Instances sharing one database all receive every interaction and Discord takes one
        // answer: the others fail to acknowledge it, before any work, and stop here.
        log.debug("interaction answered by another instance");
        return;
      }
      log.error({ err: error }, "interaction failed");
      if (!interaction.isRepliable()) return;
      try {
        if (interaction.deferred || interaction.replied) {
          await interaction.editReply({ content: UNEXPECTED });
        } else {
          await interaction.reply({ content: UNEXPECTED, flags: MessageFlags.Ephemeral });
        }
      } catch (replyError) {
        log.warn({ err: replyError }, "could not tell the user about the failure");
      }
    }
  };
}

function answeredElsewhere(error: unknown, interaction: Interaction): boolean {
  return (
    error instanceof DiscordAPIError &&
    error.code === RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged &&
    interaction.isRepliable() &&
    !interaction.deferred &&
    !interaction.replied
  );
}

const xKey = z
  .string()
  .trim()
  .min(8, "is too short")
  .max(200)
  .regex(/^\S+$/, "must not contain spaces");

async function connectX(interaction: ModalSubmitInteraction, ctx: BotContext): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "admin", "connect X accounts");
  const values = Object.fromEntries(
    X_CONNECT_FIELDS.map((field) => [field.id, interaction.fields.getTextInputValue(field.id)]),
  );
  const keys = parseOptions(
    z.object({ api_key: xKey, api_secret: xKey, access_token: xKey, access_secret: xKey }),
    values,
  );
  const { account, reconnected } = await ctx.accounts.connect(
    ctx.guildId,
    {
      kind: "oauth1",
      appKey: keys.api_key,
      appSecret: keys.api_secret,
      accessToken: keys.access_token,
      accessSecret: keys.access_secret,
    },
    auditActor(interaction),
  );
  return [
    `${reconnected ? "Reconnected" : "Connected"} @${account.handle}. The keys are stored encrypted.${reconnected ? " Its held posts go out now." : ""}`,
    'If this account posts for adult campaigns, set its media setting to "sensitive" on X (Settings → Privacy and safety → Your posts → Mark media you post as having material that may be sensitive): X has no per-post sensitive flag, only a warning on media.',
    OWNS_APP_HINT,
  ].join("\n");
}
