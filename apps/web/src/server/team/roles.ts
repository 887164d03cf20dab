import type { Role } from '@pocketping/db';

/**
 * Who may do what to whom in a team. One place, pure, so the routes, the pages (which hide buttons) and the tests
 * agree. The rules:
 * - admins (and owners) invite agents and admins; nobody is invited as owner — ownership moves only by transfer;
 * - admins promote agents to admin; acting on an admin (demote, remove) needs an owner, or is oneself;
 * - an owner's role changes only by transfer, or when another owner demotes them and they are not the last one;
 * - anyone may leave, except the last owner (transfer first);
 * - only an owner transfers ownership (the target becomes owner, the caller admin).
 */
export const INVITABLE_ROLES = ['agent', 'admin'] as const;
export type TInvitableRole = (typeof INVITABLE_ROLES)[number];

export function canInvite(actor: Role): boolean {
  return actor === 'owner' || actor === 'admin';
}

export function canChangeRole(actor: Role, target: Role, next: TInvitableRole, isSelf: boolean): boolean {
  if (target === next) return actor !== 'agent' || isSelf;
  if (target === 'owner') return actor === 'owner';
  if (target === 'admin') return actor === 'owner' || isSelf;
  // target is an agent: promotion needs admin+
  return actor === 'owner' || actor === 'admin';
}

export function canRemove(actor: Role, target: Role, isSelf: boolean): boolean {
  if (isSelf) return true;
  if (target === 'agent') return actor === 'owner' || actor === 'admin';
  return actor === 'owner';
}

export function canTransferOwnership(actor: Role): boolean {
  return actor === 'owner';
}
