import type { AuditNote } from "../domain/audit.ts";
import type { PostNotices } from "../domain/ports.ts";
import {
  defaultSettings,
  type GuildSettings,
  type SavedSettings,
  type SettingsChanges,
  type SettingsRepository,
} from "../domain/settings.ts";
import type { PrismaClient, Settings as SettingsRow } from "../generated/prisma/client.ts";
import { writeAudit } from "./audit-writer.ts";
import { providerOfClient } from "./client.ts";
import { showWaitingPosts } from "./post-repository.ts";

function toSettings(row: SettingsRow): GuildSettings {
  const {
    createdAt: _created,
    updatedAt: _updated,
    // Which budget notices went out: x-spend-repository.ts's business, not a setting.
    xBudgetWarnedFor: _warned,
    xBudgetReachedFor: _reached,
    ...settings
  } = row;
  return settings;
}

export class PrismaSettingsRepository implements SettingsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async get(guildId: string): Promise<GuildSettings> {
    const row = await this.prisma.settings.findUnique({ where: { guildId } });
    return row === null ? defaultSettings(guildId) : toSettings(row);
  }

  async update(
    guildId: string,
    changes: SettingsChanges,
    audit: AuditNote,
    waiting?: PostNotices,
  ): Promise<SavedSettings> {
    const provider = providerOfClient(this.prisma);
    return this.prisma.$transaction(async (tx) => {
      const saved = await tx.settings.upsert({
        where: { guildId },
        create: { guildId, ...changes },
        update: changes,
      });
      await writeAudit(tx, { guildId, targetType: "settings", targetId: guildId }, audit);
      const channelId = changes.approvalChannelId;
      const shownWaiting =
        typeof channelId === "string" && waiting !== undefined
          ? await showWaitingPosts(tx, provider, guildId, channelId, waiting)
          : 0;
      return { settings: toSettings(saved), shownWaiting };
    });
  }
}
