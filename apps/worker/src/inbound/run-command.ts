import { cardText, commandHelp, sourceLabel, type TOperatorCommand } from '@pocketping/bridges';
import { AppError } from '@pocketping/core';
import {
  assignConversation,
  changeConversationAi,
  changeConversationStatus,
  changeConversationTags,
  matchMember,
  postOperatorMessage,
  type TAssignableMember,
} from '@pocketping/conversations';
import {
  findSavedReplyByShortcut,
  getAiTurnState,
  getConversation,
  getVisitor,
  listOrganizationMembers,
  listSavedReplies,
} from '@pocketping/db';
import { fillSavedReply, LIMITS, SAVED_REPLY_SHORTCUT } from '@pocketping/protocol';
import type { TWorkerContext } from '../context.js';
import { buildCard } from '../delivery/build-card.js';
import { loadAiSettings } from '../ai/ai-config.js';
import type { TInboundScope } from './inbound-scope.js';

/**
 * Operator commands from any thread. The answer goes only to the operator's own thread (never stored as a visitor-
 * visible message). State changes are idempotent, so a redelivered command changes nothing twice; notes and the
 * close/reopen trace are stored as internal messages keyed by the command's platform message id (stored once) and
 * mirrored to the other bridges.
 */
export async function runCommand(
  ctx: TWorkerContext,
  scope: TInboundScope,
  input: { command: TOperatorCommand; authorName: string; externalMessageId: string; prefix: '/' | '!' },
): Promise<string> {
  const { organizationId, conversationId, connection } = scope;
  const { command, authorName, prefix } = input;
  const via = sourceLabel(connection.kind);
  const actor = {
    authorName: authorName.slice(0, LIMITS.authorNameMax),
    source: connection.kind,
    // Keyed by the command's platform message: a redelivered command stores its note once.
    inbound: {
      connectionId: connection.id,
      externalChatId: scope.thread.externalChatId,
      externalMessageId: input.externalMessageId,
    },
  };
  const internalNote = async (body: string) => {
    const r = await postOperatorMessage(ctx.conversations, organizationId, {
      conversationId,
      projectId: connection.projectId,
      ...actor,
      body: body.slice(0, LIMITS.messageBodyMax),
      visibility: 'internal',
    });
    return r.duplicate;
  };

  let reply: string;
  switch (command.name) {
    case 'info': {
      const conversation = await getConversation(ctx.db, organizationId, conversationId);
      const visitorOnline = conversation
        ? await ctx.signals.visitorOnline(conversation.visitorId).catch(() => undefined)
        : undefined;
      reply = cardText({
        ...(await buildCard(ctx.db, organizationId, conversationId)),
        ...(visitorOnline !== undefined ? { visitorOnline } : {}),
      });
      break;
    }
    case 'close':
    case 'reopen': {
      const status = command.name === 'close' ? 'closed' : 'open';
      const { changed } = await changeConversationStatus(ctx.conversations, organizationId, {
        conversationId,
        status,
        actor,
      });
      reply = changed
        ? status === 'closed'
          ? `Conversation closed by ${authorName} (via ${via}). The visitor is asked for a rating; ${prefix}reopen to reopen.`
          : `Conversation reopened by ${authorName} (via ${via}).`
        : `The conversation is already ${status}.`;
      break;
    }
    case 'note': {
      const duplicate = await internalNote(command.text);
      if (duplicate) return 'duplicate command';
      reply = 'Note saved for your team (internal, never shown to the visitor).';
      break;
    }
    case 'ai':
      await changeConversationAi(ctx.conversations, organizationId, {
        conversationId,
        projectId: connection.projectId,
        on: command.on,
      });
      reply = command.on
        ? 'AI answers turned on for this conversation (when the AI assistant is on for the project). A visitor message still waiting is answered now.'
        : 'AI answers turned off for this conversation.';
      break;
    case 'aiStatus':
      reply = await aiStatus(ctx, scope, prefix);
      break;
    case 'saved': {
      if (command.shortcut === null) {
        reply = await savedList(ctx, scope, prefix);
        break;
      }
      const saved = SAVED_REPLY_SHORTCUT.test(command.shortcut)
        ? await findSavedReplyByShortcut(ctx.db, organizationId, connection.projectId, command.shortcut)
        : null;
      if (!saved) {
        reply = `No saved reply "${command.shortcut.slice(0, 40)}" in this project — nothing was sent to the visitor.\n\n${await savedList(ctx, scope, prefix)}`;
        break;
      }
      const conversation = await getConversation(ctx.db, organizationId, conversationId);
      const visitor = conversation ? await getVisitor(ctx.db, organizationId, conversation.visitorId) : null;
      const body = fillSavedReply(saved.body, { visitorName: visitor?.name, operatorName: authorName }).slice(
        0,
        LIMITS.messageBodyMax,
      );
      // An ordinary operator reply from this app: keyed by the command's platform message (a redelivery sends it
      // once), mirrored to the other chat apps and the widget, not posted back here — the answer below shows it.
      const r = await postOperatorMessage(ctx.conversations, organizationId, {
        conversationId,
        projectId: connection.projectId,
        ...actor,
        body,
        visibility: 'public',
      });
      if (r.duplicate) return 'duplicate command';
      reply = `Sent to the visitor (saved reply "${saved.shortcut}"):\n${body}`;
      break;
    }
    case 'assign':
      reply = await assign(ctx, scope, { ...input, command, actor });
      break;
    case 'tag':
    case 'untag':
      reply = await tagCommand(ctx, scope, command.name, command.tag);
      break;
    case 'help':
      reply = commandHelp(prefix);
      break;
    case 'unknown':
      reply = `Unknown command "${command.raw.slice(0, 60)}" — nothing was sent to the visitor.\n\n${commandHelp(prefix)}`;
      break;
  }
  await answer(scope, reply);
  return `command ${command.name}`;
}

/** The answer to `/ai status`: the project's AI, then this conversation's, and what would change it. */
async function aiStatus(ctx: TWorkerContext, scope: TInboundScope, prefix: '/' | '!'): Promise<string> {
  const { organizationId, conversationId, connection } = scope;
  if (!ctx.ai) return 'AI assistant: not available on this server (no AI provider configured).';
  const settings = await loadAiSettings(ctx.db, organizationId, connection.projectId, ctx.ai.defaultModel);
  if (!settings.enabled)
    return 'AI assistant: off for this project. The owner can turn it on in the dashboard (AI page).';
  const head = `AI assistant ${settings.assistantName}: on for this project (answers after ${settings.takeoverDelaySeconds} s without a reply from your team).`;
  const state = await getAiTurnState(ctx.db, organizationId, conversationId);
  if (!state || state.status !== 'open') return `${head}\nThis conversation is closed: the AI does not answer here.`;
  if (state.aiState === 'off')
    return `${head}\nIn this conversation: OFF (a person answered, or someone turned it off). ${prefix}ai on hands it back to the AI.`;
  return `${head}\nIn this conversation: ON${state.aiState === 'active' ? ' (it has answered here)' : ''}. Any reply from your team, or ${prefix}ai off, stops it.`;
}

/** The answer to `/saved`: the project's shortcuts with their titles. */
async function savedList(ctx: TWorkerContext, scope: TInboundScope, prefix: '/' | '!'): Promise<string> {
  const replies = await listSavedReplies(ctx.db, scope.organizationId, scope.connection.projectId);
  if (replies.length === 0)
    return 'No saved replies in this project yet. Add them in the dashboard: Inbox → Saved replies.';
  const lines = replies.slice(0, 50).map((r) => `${prefix}saved ${r.shortcut} — ${r.title}`);
  if (replies.length > 50) lines.push(`…and ${replies.length - 50} more (see the dashboard).`);
  return [`Saved replies (${prefix}saved <shortcut> sends one to the visitor):`, ...lines].join('\n');
}

type TActor = {
  authorName: string;
  source: string;
  inbound: { connectionId: string; externalChatId: string; externalMessageId: string };
};

/**
 * `/assign me | <name or email> | none`. Chat-app accounts are not linked to PocketPing accounts, so "me" is the one
 * member whose name is the operator's display name on the platform; when none (or several) is, the answer says so
 * and how to assign by name instead — nobody is guessed.
 */
async function assign(
  ctx: TWorkerContext,
  scope: TInboundScope,
  input: {
    command: Extract<TOperatorCommand, { name: 'assign' }>;
    authorName: string;
    prefix: '/' | '!';
    actor: TActor;
  },
): Promise<string> {
  const { organizationId, conversationId } = scope;
  const { command, authorName, prefix, actor } = input;
  let assignee: TAssignableMember | null = null;
  if (command.to.kind !== 'none') {
    const members = (await listOrganizationMembers(ctx.db, organizationId)).map((m) => ({
      userId: m.userId,
      name: m.name,
      email: m.email,
    }));
    if (command.to.kind === 'me') {
      const me = authorName.trim().toLowerCase();
      const mine = members.filter((m) => me !== '' && (m.name ?? '').trim().toLowerCase() === me);
      if (mine.length !== 1 || !mine[0])
        return `I can't tell which PocketPing member you are: ${mine.length === 0 ? `no member of your team is named “${authorName}”` : `several members are named “${authorName}”`} in PocketPing. Use ${prefix}assign <your name or email> instead.`;
      assignee = mine[0];
    } else {
      const match = matchMember(members, command.to.query);
      if (match.kind === 'none')
        return `Nobody on your team matches “${command.to.query}”. ${prefix}assign <name or email> picks a member of your PocketPing team.`;
      if (match.kind === 'ambiguous')
        return `“${command.to.query}” matches ${match.candidates.length} members (${match.candidates
          .slice(0, 5)
          .map(memberLabel)
          .join(', ')}): type more of the name or email.`;
      assignee = match.member;
    }
  }
  try {
    const r = await assignConversation(ctx.conversations, organizationId, {
      conversationId,
      assigneeId: assignee?.userId ?? null,
      actor,
    });
    if (!assignee) return r.changed ? 'Conversation unassigned.' : 'The conversation is not assigned to anyone.';
    return r.changed
      ? `Conversation assigned to ${memberLabel(assignee)}.`
      : `The conversation is already assigned to ${memberLabel(assignee)}.`;
  } catch (err) {
    // A member removed between the look-up and the write.
    if (err instanceof AppError && err.code === 'unprocessable') return err.message;
    throw err;
  }
}

function memberLabel(m: TAssignableMember): string {
  return m.name?.trim() || m.email;
}

/** `/tag <name>` and `/untag <name>`. */
async function tagCommand(
  ctx: TWorkerContext,
  scope: TInboundScope,
  verb: 'tag' | 'untag',
  raw: string,
): Promise<string> {
  try {
    const r = await changeConversationTags(ctx.conversations, scope.organizationId, {
      conversationId: scope.conversationId,
      ...(verb === 'tag' ? { add: [raw] } : { remove: [raw] }),
    });
    const list = r.tags.length > 0 ? r.tags.join(', ') : 'none';
    if (verb === 'tag') return r.changed ? `Tagged. Tags: ${list}.` : `Already tagged. Tags: ${list}.`;
    return r.changed ? `Tag removed. Tags: ${list}.` : `That tag was not on this conversation. Tags: ${list}.`;
  } catch (err) {
    if (err instanceof AppError && err.code === 'unprocessable') return err.message;
    throw err;
  }
}

/** Command answers are best effort: the command itself has been applied; a failed answer is only logged. */
async function answer(scope: TInboundScope, text: string): Promise<void> {
  if (!scope.bridge.replyInThread) return;
  try {
    await scope.bridge.replyInThread(scope.target, scope.thread, text);
  } catch (err) {
    scope.log.warn(
      { bridge: scope.connection.kind, err: err instanceof Error ? err.message : String(err) },
      'command answer not posted',
    );
  }
}
