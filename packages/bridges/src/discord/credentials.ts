import { z } from 'zod';

/** A Discord id: a snowflake, 17–20 digits today. */
export const ZSnowflake = z
  .string()
  .regex(/^\d{17,20}$/, 'not a Discord id (17–20 digits; turn on Developer Mode and use "Copy ID")');

/**
 * Sealed at rest inside BridgeConnection.credentials like every platform's, although nothing here is secret: the
 * bot token is the server's (DISCORD_BOT_TOKEN, one bot for every tenant); a connection only names where it posts.
 */
export const ZDiscordCredentials = z.object({
  guildId: ZSnowflake,
  channelId: ZSnowflake,
});
export type TDiscordCredentials = z.infer<typeof ZDiscordCredentials>;
