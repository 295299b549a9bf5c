import { type ModalSubmitInteraction, SlashCommandBuilder } from "discord.js";
import { z } from "zod";
import { DomainError } from "../../domain/errors.ts";
import { POST_STATUSES, type PostStatus, statusesAllowing } from "../../domain/post-lifecycle.ts";
import type { Post, QueuePostInput } from "../../domain/posts.ts";
import { requireRole } from "../../domain/roles.ts";
import { formatLocal } from "../../domain/schedule.ts";
import { actorOf, auditActor } from "../actor.ts";
import type { ShowOutcome } from "../approval-messages.ts";
import { attachmentOf, attachmentSchema, withMedia } from "../attachments.ts";
import type { BotContext, Command, Reply } from "../context.ts";
import { type PostsPageTarget, pageButtonId } from "../custom-ids.ts";
import { given, parseOptions } from "../options.ts";
import { PAGE_SIZE, pageReply, pageStart } from "../paging.ts";
import { queueFormModal, readQueueForm } from "../post-queue-form.ts";
import { discordTime, statusLabel } from "../render/post-message.ts";
import { campaignChoices, postChoices } from "./autocomplete.ts";

const data = new SlashCommandBuilder()
  .setName("post")
  .setDescription("Queue and manage posts")
  .addSubcommand((sub) =>
    sub
      .setName("queue")
      .setDescription("Queue a post for approval")
      .addStringOption((o) =>
        o
          .setName("campaign")
          .setDescription("Campaign")
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(80),
      )
      .addStringOption((o) =>
        o
          .setName("text")
          .setDescription("The post text (leave out for a form with room for line breaks)")
          .setMaxLength(1000),
      )
      .addStringOption((o) =>
        o
          .setName("link")
          .setDescription("Affiliate link (default: the campaign's)")
          .setMaxLength(2048),
      )
      .addStringOption((o) =>
        o
          .setName("at")
          .setDescription('"now", "next" (free slot), "YYYY-MM-DD HH:mm" or ISO 8601')
          .setMaxLength(40),
      )
      .addAttachmentOption((o) => o.setName("media").setDescription("An image or video")),
  )
  .addSubcommand((sub) =>
    sub
      .setName("list")
      .setDescription("List posts")
      .addStringOption((o) =>
        o.setName("campaign").setDescription("Campaign").setAutocomplete(true).setMaxLength(80),
      )
      .addStringOption((o) =>
        o
          .setName("status")
          .setDescription("Only posts in this state")
          .addChoices(
            ...POST_STATUSES.map((status) => ({ name: statusLabel(status), value: status })),
          ),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("edit")
      .setDescription("Change a post's text, link or media (it goes back for approval)")
      .addIntegerOption((o) =>
        o
          .setName("post")
          .setDescription("Post")
          .setRequired(true)
          .setAutocomplete(true)
          .setMinValue(1),
      )
      .addStringOption((o) => o.setName("text").setDescription("The new text").setMaxLength(1000))
      .addStringOption((o) =>
        o.setName("link").setDescription("The new affiliate link").setMaxLength(2048),
      )
      .addAttachmentOption((o) =>
        o.setName("media").setDescription("An image or video that replaces the post's media"),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("reschedule")
      .setDescription("Move a post to another time (an approved post stays approved)")
      .addIntegerOption((o) =>
        o
          .setName("post")
          .setDescription("Post")
          .setRequired(true)
          .setAutocomplete(true)
          .setMinValue(1),
      )
      .addStringOption((o) =>
        o
          .setName("at")
          .setDescription('"now", "next" (free slot), "YYYY-MM-DD HH:mm" or ISO 8601')
          .setRequired(true)
          .setMaxLength(40),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName("cancel")
      .setDescription("Cancel a post")
      .addIntegerOption((o) =>
        o
          .setName("post")
          .setDescription("Post")
          .setRequired(true)
          .setAutocomplete(true)
          .setMinValue(1),
      ),
  );

const text = (max: number) => z.string().trim().min(1).max(max);
const postId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const attachment = attachmentSchema;
const queueOptions = z.object({
  campaign: text(80),
  text: text(1000).optional(),
  link: text(2048).optional(),
  at: text(40).optional(),
  media: attachment.optional(),
});
/** The queue form: the text is required there, the form's id names the form. */
const queueFormOptions = queueOptions
  .omit({ media: true })
  .extend({ text: text(1000), formId: z.string().regex(/^\d{1,25}$/) });
const listOptions = z.object({
  campaign: text(80).optional(),
  status: z.enum(POST_STATUSES).optional(),
});
const editOptions = z.object({
  post: postId,
  text: text(1000).optional(),
  link: text(2048).optional(),
  media: attachment.optional(),
});
const rescheduleOptions = z.object({ post: postId, at: text(40) });
const cancelOptions = z.object({ post: postId });

/** Each subcommand's post choices: the posts it can act on. */
const ACTS_ON: Record<string, readonly PostStatus[]> = {
  edit: statusesAllowing("edit"),
  reschedule: statusesAllowing("reschedule"),
  cancel: statusesAllowing("cancel"),
};

/** Queues the post and says when it goes out and where it waits for approval. */
async function queueAndTell(
  ctx: BotContext,
  input: Omit<QueuePostInput, "guildId">,
  actor: string,
): Promise<string> {
  const { post, outcome } = await ctx.approvals.shownAfter(() =>
    ctx.posts.queue({ guildId: ctx.guildId, ...input }, actor),
  );
  const campaign = await ctx.campaigns.getById(post.campaignId);
  return `Queued post #${post.id} for ${formatLocal(post.scheduledAt, campaign.timezone)} (${discordTime(post.scheduledAt, "R")}). ${WHERE_IT_WENT[outcome]}`;
}

/** A submitted /post queue form: the same checks and outcome as the command with `text`. */
export async function submitQueueForm(
  interaction: ModalSubmitInteraction,
  formId: string,
  ctx: BotContext,
): Promise<Reply> {
  const settings = await ctx.settings.get(ctx.guildId);
  requireRole(actorOf(interaction), settings, "content_manager", "queue posts");
  const o = parseOptions(queueFormOptions, { ...readQueueForm(interaction), formId });
  return queueAndTell(ctx, o, auditActor(interaction));
}

const WHERE_IT_WENT: Record<ShowOutcome, string> = {
  shown: "It is in the approval channel.",
  no_channel:
    "No approval channel is set, so nobody can approve it yet: an admin runs /settings set approval_channel.",
  unreachable:
    "Herald could not post it in the approval channel (deleted, or Herald may not write there). The post is kept: once an admin sets a channel Herald can use (/settings set approval_channel), it appears there.",
  delayed:
    "Discord is not taking Herald's messages right now; the post appears in the approval channel as soon as it does.",
};

/** What a reschedule answers: the new time, and whether it still needs an approval. */
export async function rescheduled(ctx: BotContext, post: Post): Promise<string> {
  const campaign = await ctx.campaigns.getById(post.campaignId);
  const when = `${formatLocal(post.scheduledAt, campaign.timezone)} (${discordTime(post.scheduledAt, "R")})`;
  return post.status === "approved"
    ? `Post #${post.id} is rescheduled and stays approved: it goes out ${when}.`
    : `Post #${post.id} is rescheduled to ${when}; it still waits for approval.`;
}

export const postCommand: Command = {
  data: data.toJSON(),

  async modal(interaction, ctx) {
    const opensForm =
      interaction.options.getSubcommand() === "queue" &&
      interaction.options.getString("text") === null &&
      interaction.options.getAttachment("media") === null;
    if (!opensForm) return null;
    const settings = await ctx.settings.get(ctx.guildId);
    requireRole(actorOf(interaction), settings, "content_manager", "queue posts");
    return queueFormModal(interaction.id, {
      campaign: interaction.options.getString("campaign") ?? undefined,
      link: interaction.options.getString("link") ?? undefined,
      at: interaction.options.getString("at") ?? undefined,
    });
  },

  async execute(interaction, ctx) {
    const sub = interaction.options.getSubcommand();
    const actor = actorOf(interaction);
    const settings = await ctx.settings.get(ctx.guildId);
    switch (sub) {
      case "queue": {
        requireRole(actor, settings, "content_manager", "queue posts");
        const o = parseOptions(queueOptions, {
          campaign: interaction.options.getString("campaign"),
          text: given(interaction.options.getString("text")),
          link: given(interaction.options.getString("link")),
          at: given(interaction.options.getString("at")),
          media: attachmentOf(interaction, "media"),
        });
        if (o.text === undefined) {
          // Only a form without an attachment opens (see `modal`): a form cannot carry one.
          throw new DomainError(
            "invalid_input",
            "A post with media needs the text option too (the text form cannot take an attachment). Or queue it without media and add the media with /post edit media:.",
          );
        }
        const { text: postText, media: file, ...rest } = o;
        return withMedia(ctx, file, (media) =>
          queueAndTell(ctx, { ...rest, text: postText, media }, auditActor(interaction)),
        );
      }
      case "list": {
        const o = parseOptions(listOptions, {
          campaign: given(interaction.options.getString("campaign")),
          status: given(interaction.options.getString("status")),
        });
        const campaign =
          o.campaign === undefined ? undefined : await ctx.campaigns.get(ctx.guildId, o.campaign);
        return postsPage(ctx, {
          campaignId: campaign?.id ?? null,
          status: o.status ?? null,
          offset: 0,
        });
      }
      case "edit": {
        requireRole(actor, settings, "content_manager", "edit posts");
        const o = parseOptions(editOptions, {
          post: interaction.options.getInteger("post"),
          text: given(interaction.options.getString("text")),
          link: given(interaction.options.getString("link")),
          media: attachmentOf(interaction, "media"),
        });
        if (o.text === undefined && o.link === undefined && o.media === undefined) {
          throw new DomainError(
            "invalid_input",
            "Give what changes: text, link or media (or press Edit on the post's approval message to change the text in a form).",
          );
        }
        const before = await ctx.posts.get(o.post);
        const post = await withMedia(ctx, o.media, (media) =>
          ctx.posts.edit(o.post, auditActor(interaction), { text: o.text, link: o.link, media }),
        );
        // The replaced files belong to no post any more.
        if (o.media !== undefined) for (const path of before.media) await ctx.media.remove(path);
        return `Post #${post.id} was changed and waits for approval again.`;
      }
      case "reschedule": {
        requireRole(actor, settings, "content_manager", "reschedule posts");
        const o = parseOptions(rescheduleOptions, {
          post: interaction.options.getInteger("post"),
          at: interaction.options.getString("at"),
        });
        const post = await ctx.posts.reschedule(o.post, auditActor(interaction), o.at);
        return rescheduled(ctx, post);
      }
      case "cancel": {
        requireRole(actor, settings, "content_manager", "cancel posts");
        const o = parseOptions(cancelOptions, { post: interaction.options.getInteger("post") });
        const post = await ctx.posts.cancel(o.post, auditActor(interaction));
        return `Post #${post.id} is cancelled.`;
      }
      default:
        return `Unknown subcommand ${sub}.`;
    }
  },

  async autocomplete(interaction, ctx) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === "campaign") {
      await interaction.respond(await campaignChoices(ctx, String(focused.value)));
    } else {
      const statuses = ACTS_ON[interaction.options.getSubcommand()] ?? [];
      await interaction.respond(await postChoices(ctx, String(focused.value), statuses));
    }
  },
};

/**
 * A page of /post list, newest scheduled first, filters in its buttons. A campaign deleted since
 * the list was made is refused rather than silently dropped from the filter.
 */
export async function postsPage(
  ctx: BotContext,
  query: Omit<PostsPageTarget, "list">,
): Promise<Reply> {
  const campaign =
    query.campaignId === null ? null : await ctx.campaigns.findById(query.campaignId);
  if (query.campaignId !== null && (campaign === null || campaign.guildId !== ctx.guildId)) {
    throw new DomainError(
      "campaign_not_found",
      "The campaign this list was for no longer exists, so the page was left as it was. Run /post list again.",
    );
  }
  const filter = {
    guildId: ctx.guildId,
    campaignId: campaign?.id,
    status: query.status ?? undefined,
  };
  const total = await ctx.posts.count(filter);
  const offset = pageStart(query.offset, total);
  const posts = await ctx.posts.list({ ...filter, offset, limit: PAGE_SIZE });
  return pageReply({
    noun: "Posts",
    filters: [
      ...(campaign === null ? [] : [campaign.name]),
      ...(query.status === null ? [] : [statusLabel(query.status)]),
    ],
    empty: "No posts match.",
    total,
    offset,
    entries: posts.map(
      (post) =>
        `#${post.id} · ${statusLabel(post.status)} · ${discordTime(post.scheduledAt)} · ${post.text.replace(/\s+/g, " ").slice(0, 80)}`,
    ),
    separator: "\n",
    idAt: (at) => pageButtonId({ list: "posts", ...query, offset: at }),
  });
}
