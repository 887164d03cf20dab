import { REST, Routes, ChannelType, PermissionFlagsBits } from 'discord.js';
import { BridgeError } from '../bridge-error.js';
import { truncate } from '../format.js';
import { channelPermissions } from './discord-bridge.js';
import { escapeDiscordMarkdown } from './render.js';
import { toBridgeError } from './to-bridge-error.js';

/**
 * The dashboard's Discord setup with the shared bot (DISCORD_BOT_TOKEN): the servers it was added to, their text
 * channels, and what the bot may do in one of them — computed from the server's roles, the bot's roles and the
 * channel's overwrites, the way Discord does — so the page can name the permission that is missing.
 */

/** Needed in the channel; without one of these the bridge cannot work. */
export const DISCORD_REQUIRED_PERMISSIONS: readonly { name: string; bit: bigint }[] = [
  { name: 'View Channel', bit: PermissionFlagsBits.ViewChannel },
  { name: 'Send Messages', bit: PermissionFlagsBits.SendMessages },
  { name: 'Create Public Threads', bit: PermissionFlagsBits.CreatePublicThreads },
  { name: 'Send Messages in Threads', bit: PermissionFlagsBits.SendMessagesInThreads },
  { name: 'Read Message History', bit: PermissionFlagsBits.ReadMessageHistory },
  { name: 'Attach Files', bit: PermissionFlagsBits.AttachFiles },
];
/** Useful (reopening locked threads) but the bridge works without it. */
export const DISCORD_OPTIONAL_PERMISSIONS: readonly { name: string; bit: bigint }[] = [
  { name: 'Manage Threads', bit: PermissionFlagsBits.ManageThreads },
];

export interface TDiscordChannelCheck {
  guild: { id: string; name: string };
  channel: { id: string; name: string };
  missing: string[];
  missingOptional: string[];
}

export interface TDiscordSetupClient {
  listTextChannels(
    guildId: string,
  ): Promise<{ id: string; name: string; missing: string[]; missingOptional: string[] }[]>;
  checkChannel(guildId: string, channelId: string): Promise<TDiscordChannelCheck>;
  /** A plain post in the channel, mentions disabled. */
  postText(channelId: string, text: string): Promise<{ id: string }>;
}

type TGuild = { id: string; name: string; owner_id: string; roles: { id: string; permissions: string }[] };
type TChannel = {
  id: string;
  guild_id?: string;
  type: number;
  name?: string;
  position?: number;
  permission_overwrites?: { id: string; type: number; allow: string; deny: string }[];
};

export function createDiscordSetupClient(config: {
  apiUrl: string;
  botToken: string | undefined;
}): TDiscordSetupClient {
  const rest = new REST({ api: config.apiUrl, timeout: 10_000, retries: 1 });
  const call = async <T>(method: string, channelId: string, fn: (r: REST) => Promise<unknown>): Promise<T> => {
    if (!config.botToken)
      throw new BridgeError({
        kind: 'unauthorized',
        platform: 'discord',
        method: 'config',
        message: 'Discord is not configured on this server (DISCORD_BOT_TOKEN is not set)',
      });
    rest.setToken(config.botToken);
    try {
      return (await fn(rest)) as T;
    } catch (err) {
      throw toBridgeError(method, err, { kind: 'guild', channelId });
    }
  };
  let me: { id: string } | null = null;
  const botUser = async () =>
    (me ??= await call<{ id: string }>('getCurrentUser', '-', (r) => r.get(Routes.user('@me'))));

  const permsFor = (guild: TGuild, memberRoles: string[], botId: string, ch: TChannel) => {
    const perms = channelPermissions({
      guildId: guild.id,
      ownerId: guild.owner_id,
      userId: botId,
      roles: guild.roles,
      memberRoles,
      overwrites: ch.permission_overwrites ?? [],
    });
    return {
      missing: DISCORD_REQUIRED_PERMISSIONS.filter((p) => (perms & p.bit) !== p.bit).map((p) => p.name),
      missingOptional: DISCORD_OPTIONAL_PERMISSIONS.filter((p) => (perms & p.bit) !== p.bit).map((p) => p.name),
    };
  };
  const guildContext = async (guildId: string) => {
    const bot = await botUser();
    const guild = await call<TGuild>('getGuild', guildId, (r) => r.get(Routes.guild(guildId)));
    const member = await call<{ roles: string[] }>('getGuildMember', guildId, (r) =>
      r.get(Routes.guildMember(guildId, bot.id)),
    );
    return { bot, guild, memberRoles: member.roles };
  };

  return {
    async listTextChannels(guildId) {
      const { bot, guild, memberRoles } = await guildContext(guildId);
      const channels = await call<TChannel[]>('getGuildChannels', guildId, (r) => r.get(Routes.guildChannels(guildId)));
      return channels
        .filter((c) => c.type === ChannelType.GuildText)
        .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
        .map((c) => ({ id: c.id, name: c.name ?? c.id, ...permsFor(guild, memberRoles, bot.id, c) }));
    },

    async checkChannel(guildId, channelId) {
      const { bot, guild, memberRoles } = await guildContext(guildId);
      const ch = await call<TChannel>('getChannel', channelId, (r) => r.get(Routes.channel(channelId)));
      if (ch.guild_id !== guildId)
        throw new BridgeError({
          kind: 'forbidden',
          platform: 'discord',
          method: 'getChannel',
          message: `That channel is not in "${guild.name}"`,
        });
      if (ch.type !== ChannelType.GuildText)
        throw new BridgeError({
          kind: 'forbidden',
          platform: 'discord',
          method: 'getChannel',
          message: `#${ch.name ?? channelId} is not a text channel (threads need a text channel)`,
        });
      return {
        guild: { id: guild.id, name: guild.name },
        channel: { id: ch.id, name: ch.name ?? ch.id },
        ...permsFor(guild, memberRoles, bot.id, ch),
      };
    },

    async postText(channelId, text) {
      const body = {
        content: truncate(escapeDiscordMarkdown(text), 2000),
        allowed_mentions: { parse: [] as string[] },
      };
      const m = await call<{ id: string }>('createMessage', channelId, (r) =>
        r.post(Routes.channelMessages(channelId), { body }),
      );
      return { id: m.id };
    },
  };
}
