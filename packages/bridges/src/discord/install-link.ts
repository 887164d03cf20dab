import { PermissionFlagsBits } from 'discord.js';

/**
 * The least the bridge needs: see the channel and its history, open public threads and keep them usable (unarchive,
 * unlock), post in them, attach files. No Administrator, no Mention Everyone.
 */
export const DISCORD_BOT_PERMISSIONS: readonly { name: string; bit: bigint }[] = [
  { name: 'View Channel', bit: PermissionFlagsBits.ViewChannel },
  { name: 'Send Messages', bit: PermissionFlagsBits.SendMessages },
  { name: 'Send Messages in Threads', bit: PermissionFlagsBits.SendMessagesInThreads },
  { name: 'Create Public Threads', bit: PermissionFlagsBits.CreatePublicThreads },
  { name: 'Read Message History', bit: PermissionFlagsBits.ReadMessageHistory },
  { name: 'Manage Threads', bit: PermissionFlagsBits.ManageThreads },
  { name: 'Attach Files', bit: PermissionFlagsBits.AttachFiles },
];

export const DISCORD_BOT_PERMISSION_BITS: bigint = DISCORD_BOT_PERMISSIONS.reduce((acc, p) => acc | p.bit, 0n);

/**
 * The link a server admin opens to add the shared bot to their server with exactly those permissions. The consent
 * screen lives on the host of the API (https://discord.com/api → https://discord.com/oauth2/authorize), so a
 * DISCORD_API_URL pointing at a fake (local demo, tests) moves it too.
 */
export function discordInstallLink(applicationId: string, apiUrl = 'https://discord.com/api'): string {
  if (!/^\d{17,20}$/.test(applicationId)) throw new Error('DISCORD_APPLICATION_ID must be the numeric application id');
  const q = new URLSearchParams({
    client_id: applicationId,
    scope: 'bot',
    permissions: DISCORD_BOT_PERMISSION_BITS.toString(),
  });
  return `${new URL('/oauth2/authorize', apiUrl).toString()}?${q.toString()}`;
}
