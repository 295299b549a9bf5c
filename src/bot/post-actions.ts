import {
  ActionRowBuilder,
  type ButtonInteraction,
  ModalBuilder,
  type ModalSubmitInteraction,
  TextInputBuilder,
  TextInputStyle,
} from "discord.js";
import { z } from "zod";
import { requireRole } from "../domain/roles.ts";
import { formatLocal } from "../domain/schedule.ts";
import { actorOf, auditActor } from "./actor.ts";
import { rescheduled } from "./commands/post.ts";
import type { BotContext, Reply } from "./context.ts";
import { type PostTarget, postModalId } from "./custom-ids.ts";
import { parseOptions } from "./options.ts";

/** Buttons whose next step is a form; the others act at once. */
export function opensModal(target: PostTarget): boolean {
  return target.action === "reject" || target.action === "edit" || target.action === "reschedule";
}

/**
 * The form a button opens. The edit form starts from the stored text (one indexed read), not
 * from the embed: the embed adds the tracked link, and the author's own lines and URLs stay.
 */
export async function postModal(target: PostTarget, ctx: BotContext): Promise<ModalBuilder> {
  const modal = new ModalBuilder().setCustomId(postModalId(target.action, target.postId));
  const input = new TextInputBuilder().setRequired(true);
  switch (target.action) {
    case "reject":
      modal.setTitle(`Reject post #${target.postId}`);
      input
        .setCustomId("reason")
        .setLabel("Why? The author sees this")
        .setStyle(TextInputStyle.Paragraph)
        .setMaxLength(500);
      break;
    case "edit": {
      modal.setTitle(`Edit post #${target.postId}`);
      const current = (await ctx.posts.get(target.postId)).text;
      input
        .setCustomId("text")
        .setLabel("Post text")
        .setStyle(TextInputStyle.Paragraph)
        .setMaxLength(1000);
      if (current !== "") input.setValue(current.slice(0, 1000));
      break;
    }
    default:
      modal.setTitle(`Reschedule post #${target.postId}`);
      input
        .setCustomId("at")
        .setLabel('"now", "next", "YYYY-MM-DD HH:mm" or ISO 8601')
        .setStyle(TextInputStyle.Short)
        .setMaxLength(40)
        .setPlaceholder("next");
  }
  return modal.addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input));
}

const ACTION_WORDS = {
  approve: "approve posts",
  reject: "reject posts",
  edit: "edit posts from the approval channel",
  reschedule: "reschedule posts",
  retry: "retry posts",
} as const;

/** The role check for a post button, run before a form opens or an action is taken. */
export async function checkPostPermission(
  target: PostTarget,
  interaction: ButtonInteraction | ModalSubmitInteraction,
  ctx: BotContext,
): Promise<void> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "approver", ACTION_WORDS[target.action]);
}

const field = (max: number) => z.string().trim().min(1).max(max);

/** Carries out a button press or a submitted form; the dispatcher has deferred already. */
export async function runPostAction(
  target: PostTarget,
  interaction: ButtonInteraction | ModalSubmitInteraction,
  ctx: BotContext,
): Promise<Reply> {
  await checkPostPermission(target, interaction, ctx);
  const actor = auditActor(interaction);
  const value = (name: string, max: number) =>
    interaction.isModalSubmit()
      ? parseOptions(z.object({ [name]: field(max) }), {
          [name]: interaction.fields.getTextInputValue(name),
        })[name]
      : undefined;
  const { postId } = target;
  let post: Awaited<ReturnType<typeof ctx.posts.get>>;
  let done: string;
  switch (target.action) {
    case "approve":
      post = await ctx.posts.approve(postId, actor);
      done = `Approved post #${postId}.`;
      break;
    case "reject":
      post = await ctx.posts.reject(postId, actor, value("reason", 500) ?? "");
      done = `Rejected post #${postId}.`;
      break;
    case "edit":
      post = await ctx.posts.edit(postId, actor, { text: value("text", 1000) ?? "" });
      done = `Post #${postId} was changed and waits for approval again.`;
      break;
    case "reschedule":
      post = await ctx.posts.reschedule(postId, actor, value("at", 40) ?? "");
      return rescheduled(ctx, post);
    case "retry":
      post = await ctx.posts.retry(postId, actor);
      done = `Post #${postId} will be tried again now.`;
      break;
  }
  if (post.status === "approved") {
    const campaign = await ctx.campaigns.getById(post.campaignId);
    done += ` It goes out ${formatLocal(post.scheduledAt, campaign.timezone)}.`;
  }
  return done;
}
