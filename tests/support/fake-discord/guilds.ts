import type {
  FakeChannelDefinition,
  FakeGuildDefinition,
  FakeMemberDefinition,
} from "./options.ts";
import { DEFAULT_EVERYONE_PERMISSIONS, effectivePermissions, toBits } from "./permissions.ts";

/** The bot's own account, which Discord shows as the author of everything the bot sends. */
export interface BotUser {
  readonly id: string;
  readonly username: string;
}

export interface RoleRecord {
  readonly id: string;
  readonly name: string;
  readonly permissions: bigint;
  readonly position: number;
}

export interface MemberRecord {
  readonly id: string;
  readonly username: string;
  readonly globalName: string | null;
  readonly roleIds: readonly string[];
  readonly explicitPermissions: bigint | undefined;
  readonly bot: boolean;
}

/** A guild as the fake holds it: the test's definition plus @everyone and the bot's member. */
export class FakeGuild {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  channels: readonly FakeChannelDefinition[];
  readonly roles: readonly RoleRecord[];
  private readonly memberRecords: Map<string, MemberRecord>;

  constructor(
    definition: FakeGuildDefinition,
    readonly bot: BotUser,
    /** When the members joined, for `joined_at`. */
    readonly joinedAt: number,
  ) {
    this.id = definition.id;
    this.name = definition.name;
    this.channels = definition.channels;
    const defined = definition.roles ?? [];
    const everyone: RoleRecord = {
      id: definition.id,
      name: "@everyone",
      permissions: DEFAULT_EVERYONE_PERMISSIONS,
      position: 0,
    };
    this.roles = [
      ...(defined.some((role) => role.id === definition.id) ? [] : [everyone]),
      ...defined.map((role, index) => ({
        id: role.id,
        name: role.id === definition.id ? "@everyone" : role.name,
        permissions: toBits(role.permissions),
        position: role.id === definition.id ? 0 : (role.position ?? index + 1),
      })),
    ];
    const members = new Map<string, MemberRecord>();
    for (const member of definition.members ?? []) members.set(member.id, memberRecord(member));
    members.set(bot.id, {
      id: bot.id,
      username: bot.username,
      globalName: null,
      roleIds: definition.botRoleIds ?? [],
      explicitPermissions: undefined,
      bot: true,
    });
    this.memberRecords = members;
    this.ownerId = definition.ownerId ?? definition.members?.[0]?.id ?? bot.id;
  }

  get members(): ReadonlyMap<string, MemberRecord> {
    return this.memberRecords;
  }

  /** Gives a member these roles (and only these), as an admin does in the server settings. */
  setMemberRoles(memberId: string, roleIds: readonly string[]): void {
    const member = this.memberRecords.get(memberId);
    if (member === undefined) throw new Error(`guild ${this.id} has no member ${memberId}`);
    this.memberRecords.set(memberId, { ...member, roleIds });
  }

  channel(id: string): FakeChannelDefinition | undefined {
    return this.channels.find((channel) => channel.id === id);
  }

  /** Removes a channel, as when someone deletes it; returns what was removed. */
  removeChannel(id: string): FakeChannelDefinition | undefined {
    const removed = this.channel(id);
    this.channels = this.channels.filter((channel) => channel.id !== id);
    return removed;
  }

  /** The first text channel, where a person "types" when a test names no channel. */
  defaultChannel(): FakeChannelDefinition | undefined {
    return this.channels.find((channel) => (channel.type ?? 0) === 0);
  }

  role(id: string): RoleRecord | undefined {
    return this.roles.find((role) => role.id === id);
  }

  /** A member's permissions as Discord puts them in `member.permissions` and `app_permissions`. */
  permissionsOf(member: MemberRecord): bigint {
    if (member.explicitPermissions !== undefined) return member.explicitPermissions;
    const granted = this.roles
      .filter((role) => role.id === this.id || member.roleIds.includes(role.id))
      .reduce((all, role) => all | role.permissions, 0n);
    return effectivePermissions(granted, member.id === this.ownerId);
  }

  botMember(): MemberRecord {
    const member = this.members.get(this.bot.id);
    if (member === undefined) throw new Error("the bot's member is always present");
    return member;
  }
}

export function memberRecord(definition: FakeMemberDefinition): MemberRecord {
  return {
    id: definition.id,
    username: definition.username,
    globalName: definition.globalName ?? null,
    roleIds: definition.roleIds ?? [],
    explicitPermissions:
      definition.permissions === undefined ? undefined : toBits(definition.permissions),
    bot: false,
  };
}

/** Every guild the bot is in. */
export class GuildDirectory {
  constructor(readonly guilds: readonly FakeGuild[]) {}

  guild(id: string): FakeGuild | undefined {
    return this.guilds.find((guild) => guild.id === id);
  }

  channel(id: string): { guild: FakeGuild; channel: FakeChannelDefinition } | undefined {
    for (const guild of this.guilds) {
      const channel = guild.channel(id);
      if (channel !== undefined) return { guild, channel };
    }
    return undefined;
  }

  /** A user the bot can see: a member of one of its guilds. */
  user(id: string): MemberRecord | undefined {
    for (const guild of this.guilds) {
      const member = guild.members.get(id);
      if (member !== undefined) return member;
    }
    return undefined;
  }
}
