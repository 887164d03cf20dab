import { z } from 'zod';
import type { TSetupPorts } from '../setup-ports.js';

/** How long an "Add to Slack" link stays valid: long enough to pick a workspace, short enough to be useless if leaked. */
export const SLACK_STATE_TTL_SECONDS = 10 * 60;

// `u`: the dashboard user who started the install (absent for API-key installs); the callback then requires that
// user's session and admin role, and hands the install to the dashboard's channel picker.
// `b`: for API-key installs, the SHA-256 of a random value set as a cookie on the client that started the install;
// the callback requires that cookie (see startSlackInstall).
const ZState = z.object({
  o: z.string().min(1).max(40),
  p: z.string().min(1).max(40),
  c: z.string().max(40).nullable(),
  u: z.string().min(1).max(40).optional(),
  b: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type TInstallState = {
  organizationId: string;
  projectId: string;
  channelId: string | null;
  userId?: string;
  browserHash?: string;
};
const STATE_PURPOSE = 'slack-install';

/** The cookie that binds an API-key install to the client that started it (sent back only to the callback). */
export const SLACK_INSTALL_COOKIE = 'pp_slack_install';

/** An expiring, signed state naming the tenant and project the install is for (signed by the web app's port). */
export function signInstallState(ports: Pick<TSetupPorts, 'signState'>, state: TInstallState, nowMs?: number): string {
  return ports.signState(
    STATE_PURPOSE,
    {
      o: state.organizationId,
      p: state.projectId,
      c: state.channelId,
      ...(state.userId ? { u: state.userId } : {}),
      ...(state.browserHash ? { b: state.browserHash } : {}),
    },
    SLACK_STATE_TTL_SECONDS,
    nowMs,
  );
}

export function verifyInstallState(
  ports: Pick<TSetupPorts, 'verifyState'>,
  state: string,
  nowMs?: number,
): TInstallState | null {
  const s = ports.verifyState(STATE_PURPOSE, state, ZState, nowMs);
  return s
    ? {
        organizationId: s.o,
        projectId: s.p,
        channelId: s.c,
        ...(s.u ? { userId: s.u } : {}),
        ...(s.b ? { browserHash: s.b } : {}),
      }
    : null;
}
