import { z } from 'zod';
import { AppError } from '@pocketping/core';
import { toSetupError } from '../setup-errors.js';
import { newSetupId } from '../setup-ids.js';
import type { TSetupConnectionCard, TSetupPorts, TSetupScope } from '../setup-ports.js';
import { connectSlackWithToken, type TSlackConnectionDraft } from './connect-slack.js';
import { slackConsentUrl } from './consent-url.js';
import { DEFAULT_SLACK_API_URL } from './create-slack-client.js';
import { ZSlackCredentials } from './credentials.js';
import { signInstallState } from './install-state.js';
import {
  checkSlackBotToken,
  listSlackPublicChannels,
  type TSlackBotIdentity,
  type TSlackChannelChoice,
} from './setup-slack.js';

/**
 * Slack setup from the dashboard, in two steps whatever the way in: 1) a bot token — from "Add to Slack" (OAuth v2,
 * finished by `finishSlackInstall`, which hands it here with `stashSlackSetup`) or pasted — checked with auth.test
 * and kept sealed as a pending setup; 2) a public channel picked from conversations.list, which the bot joins; the
 * connection is then stored (or, for the same channel of the same project, given the new token).
 */

const KIND = 'slack';
export const SLACK_SETUP_TTL_SECONDS = 30 * 60;

const ZPending = z.object({
  organizationId: z.string(),
  projectId: z.string(),
  userId: z.string(),
  sealedCredentials: z.string(),
  teamId: z.string(),
  teamName: z.string().nullable(),
  botName: z.string().nullable(),
});
type TPending = z.infer<typeof ZPending>;

export type TSlackSetup = {
  setupId: string;
  team: { id: string; name: string | null };
  bot: string | null;
  expiresInSeconds: number;
};

const apiUrlOf = (ports: TSetupPorts) => ports.config.slack?.apiUrl ?? DEFAULT_SLACK_API_URL;

/** A checked bot token becomes a pending setup (sealed) that the channel picker continues. */
export async function stashSlackSetup(
  ports: TSetupPorts,
  scope: TSetupScope,
  identity: TSlackBotIdentity,
): Promise<TSlackSetup> {
  const setupId = newSetupId();
  const pending: TPending = {
    organizationId: scope.organizationId,
    projectId: scope.projectId,
    userId: scope.userId,
    sealedCredentials: ports.seal(JSON.stringify(identity.credentials)),
    teamId: identity.credentials.teamId,
    teamName: identity.teamName,
    botName: identity.botName,
  };
  await ports.pending.save(KIND, setupId, pending, SLACK_SETUP_TTL_SECONDS);
  return {
    setupId,
    team: { id: pending.teamId, name: pending.teamName },
    bot: pending.botName,
    expiresInSeconds: SLACK_SETUP_TTL_SECONDS,
  };
}

/** The manual option: a pasted bot token (self-hosters with their own Slack app). */
export async function startSlackWithToken(
  ports: TSetupPorts,
  input: TSetupScope & { botToken: string },
): Promise<TSlackSetup> {
  let identity: TSlackBotIdentity;
  try {
    identity = await checkSlackBotToken({ apiUrl: apiUrlOf(ports), botToken: input.botToken.trim() });
  } catch (err) {
    throw toSetupError(err, {
      unauthorized:
        'Slack does not accept this token. Use the "Bot User OAuth Token" (xoxb-…) from your app\'s OAuth & Permissions page, and make sure the app is installed in the workspace.',
    });
  }
  return stashSlackSetup(ports, input, identity);
}

async function pendingOrThrow(
  ports: TSetupPorts,
  scope: { organizationId: string; projectId: string },
  setupId: string,
): Promise<TPending> {
  const loaded = await ports.pending.load(KIND, setupId, ZPending);
  if (!loaded || loaded.value.organizationId !== scope.organizationId || loaded.value.projectId !== scope.projectId) {
    throw new AppError('not_found', 'This Slack setup expired. Start again with "Add to Slack" or a bot token.');
  }
  return loaded.value;
}

const credentialsOf = (ports: TSetupPorts, p: TPending) =>
  ZSlackCredentials.parse(JSON.parse(ports.unseal(p.sealedCredentials)));

export async function describeSlackSetup(
  ports: TSetupPorts,
  scope: { organizationId: string; projectId: string },
  setupId: string,
): Promise<{ team: { id: string; name: string | null }; bot: string | null; channels: TSlackChannelChoice[] }> {
  const p = await pendingOrThrow(ports, scope, setupId);
  const creds = credentialsOf(ports, p);
  try {
    const channels = await listSlackPublicChannels({ apiUrl: apiUrlOf(ports), botToken: creds.botToken });
    return { team: { id: p.teamId, name: p.teamName }, bot: p.botName, channels };
  } catch (err) {
    throw toSetupError(err, {
      forbidden: 'The Slack app may not list channels: reinstall it with the channels:read scope.',
    });
  }
}

/**
 * Stores a joined channel as the project's connection — or, on a reinstall into the same channel, gives the existing
 * connection the new token (it is active again and its queued messages go out). Both ways in end here.
 */
export async function storeSlackConnection(
  ports: TSetupPorts,
  scope: { organizationId: string; projectId: string },
  draft: TSlackConnectionDraft,
  names: { targetName: string; scopeName: string | null },
): Promise<{ connectionId: string; reinstalled: boolean }> {
  const sealed = ports.seal(JSON.stringify(draft.credentials));
  const existing = (
    await ports.connections.byTarget({ kind: 'slack', targetScope: draft.targetScope, targetId: draft.targetId })
  ).find((c) => c.organizationId === scope.organizationId && c.projectId === scope.projectId);
  if (existing) {
    await ports.connections.replaceCredentials(scope.organizationId, existing.id, sealed, names);
    return { connectionId: existing.id, reinstalled: true };
  }
  const created = await ports.connections.create(scope.organizationId, {
    projectId: scope.projectId,
    kind: 'slack',
    sealedCredentials: sealed,
    targetId: draft.targetId,
    targetScope: draft.targetScope,
    ...names,
  });
  return { connectionId: created.id, reinstalled: false };
}

export async function connectSlackChannel(
  ports: TSetupPorts,
  scope: TSetupScope,
  input: { setupId: string; channelId: string },
): Promise<{ connection: TSetupConnectionCard; channel: string; reinstalled: boolean }> {
  const p = await pendingOrThrow(ports, scope, input.setupId);
  const creds = credentialsOf(ports, p);
  let draft;
  try {
    draft = await connectSlackWithToken({
      apiUrl: apiUrlOf(ports),
      botToken: creds.botToken,
      channelId: input.channelId,
    });
  } catch (err) {
    throw toSetupError(err, { forbidden: undefined });
  }
  const { connectionId, reinstalled } = await storeSlackConnection(ports, scope, draft, {
    targetName: draft.channelName,
    scopeName: draft.teamName ?? p.teamName,
  });
  await ports.pending.delete(KIND, input.setupId);
  await ports.audit(scope.organizationId, {
    actorType: 'user',
    actorId: scope.userId,
    action: reinstalled ? 'connection.slack.reinstall' : 'connection.slack.install',
    targetType: 'bridge_connection',
    targetId: connectionId,
    metadata: { projectId: scope.projectId, teamId: draft.targetScope, channelId: draft.targetId },
  });
  ports.log.info(
    {
      organizationId: scope.organizationId,
      connectionId,
      bridge: 'slack',
      teamId: draft.targetScope,
      channelId: draft.targetId,
    },
    'slack connected from dashboard',
  );
  const card = await ports.connections.card(scope.organizationId, scope.projectId, connectionId);
  if (!card) throw new AppError('internal', 'Connection vanished after connecting.');
  return { connection: card, channel: draft.channelName, reinstalled };
}

/** "Add to Slack" from the dashboard: the consent screen URL, with a signed state naming org, project and user. */
export function slackInstallUrl(ports: TSetupPorts, scope: TSetupScope): string {
  const clientId = ports.config.slack?.clientId;
  if (!clientId || !ports.config.slack?.clientSecret)
    throw new AppError(
      'unavailable',
      '"Add to Slack" is not configured on this server (SLACK_CLIENT_ID / SLACK_CLIENT_SECRET). Use a bot token instead.',
    );
  return slackConsentUrl({
    apiUrl: apiUrlOf(ports),
    clientId,
    webPublicUrl: ports.webPublicUrl,
    state: signInstallState(ports, {
      organizationId: scope.organizationId,
      projectId: scope.projectId,
      channelId: null,
      userId: scope.userId,
    }),
  }).toString();
}
