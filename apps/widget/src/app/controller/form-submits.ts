// The small forms (pre-chat, away email, rating) as the server takes them. Shipped in extras.js with the forms
// themselves: only visitors who see a form need them.
import type { TPreChatAnswers } from '../form-types.js';
import type { TWidgetState } from '../widget-state.js';
import type { TSimpleRequest } from '../../transport/connect-widget-socket.js';
import type { TCore } from './core.js';

const DONE = { status: 'done', error: null } as const;

export function createFormSubmits(core: TCore) {
  const { deps, keys, set, setForm, rememberEmail } = core;
  const { local } = deps;

  async function submit(form: keyof TWidgetState['forms'], event: TSimpleRequest, payload: object): Promise<boolean> {
    setForm(form, { status: 'sending', error: null });
    const res = await core.request(event, payload);
    if (!core.isDestroyed) setForm(form, res.ok ? DONE : { status: 'idle', error: res.error.message });
    return res.ok && !core.isDestroyed;
  }

  return {
    async submitPreChat({ email, name, fields }: TPreChatAnswers) {
      const payload: TPreChatAnswers = {};
      if (email) payload.email = email.trim();
      if (name?.trim()) payload.name = name.trim().slice(0, 120);
      if (fields && Object.keys(fields).length) payload.fields = fields;
      const ok = await submit('preChat', 'preChat', payload);
      if (ok) {
        local.set(keys.preChat, '1');
        if (payload.email) rememberEmail();
      }
      return ok;
    },

    dismissPreChat() {
      local.set(keys.preChat, '1');
      setForm('preChat', DONE);
    },

    async submitAwayEmail(email: string) {
      const ok = await submit('away', 'preChat', { email: email.trim() });
      if (ok) rememberEmail();
      return ok;
    },

    async submitCsat(score: number, comment: string) {
      const text = comment.trim().slice(0, 2000);
      const ok = await submit('csat', 'csat', text ? { score, comment: text } : { score });
      if (ok) set({ isCsatRequested: false });
      return ok;
    },
  };
}
