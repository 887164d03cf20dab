// The operator console's script (served as /console.js, no build step). It renders the threads of the fake Slack
// and Discord from the console's JSON API and refreshes every 1.5 s. Every text goes through textContent: what a
// visitor or a bot wrote is never parsed as HTML.
(() => {
  const $ = (name) => document.querySelector(`[data-c="${name}"]`);
  const list = $('thread-list');
  const empty = $('no-threads');
  const title = $('thread-title');
  const messages = $('message-list');
  const form = $('reply-form');
  const input = $('reply-input');
  const status = $('status');
  const replyStatus = $('reply-status');
  const APP_LABEL = { slack: 'Slack', discord: 'Discord' };
  const OPERATOR = { slack: 'Sam', discord: 'Dora' };
  let selected = null; // { app, id }
  let lastListJson = '';
  let lastThreadJson = '';

  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const time = (ms) => {
    const d = new Date(ms);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  };

  function renderList(threads) {
    list.replaceChildren(
      ...threads.map((t) => {
        const li = el('li');
        const a = el(
          'a',
          `thread-link app-${t.app}${selected && selected.app === t.app && selected.id === t.id ? ' selected' : ''}`,
        );
        a.href = `#${t.app}/${t.id}`;
        a.dataset.app = t.app;
        a.dataset.id = t.id;
        a.append(
          el('span', 'badge', APP_LABEL[t.app]),
          el('span', 'thread-name', t.title),
          el('span', 'thread-sub', t.lastPreview || 'No messages yet'),
        );
        a.addEventListener('click', (e) => {
          e.preventDefault();
          select(t.app, t.id);
        });
        li.append(a);
        return li;
      }),
    );
    empty.hidden = threads.length > 0;
  }

  function renderThread(data) {
    title.textContent = `${APP_LABEL[data.thread.app]} — ${data.thread.title}`;
    messages.replaceChildren(
      ...data.messages.map((m) => {
        const li = el('li', `msg ${m.fromBot ? 'from-bot' : 'from-human'}${m.deleted ? ' deleted' : ''}`);
        li.dataset.id = m.id;
        const head = el('div', 'msg-head');
        head.append(
          el('span', 'sender', m.author),
          el('time', '', time(m.at)),
          el('span', 'flags', `${m.edited ? ' · edited' : ''}${m.deleted ? ' · deleted' : ''}`),
        );
        const body = el('div', 'msg-body', m.text);
        for (const f of m.files) body.append(el('span', 'file', `📎 ${f}`));
        li.append(head, body);
        return li;
      }),
    );
    form.hidden = false;
    input.placeholder = `Reply as ${OPERATOR[data.thread.app]} (Enter sends, Shift+Enter: new line)`;
  }

  async function refresh() {
    try {
      const res = await fetch('/console/api/threads', { cache: 'no-store' });
      const json = await res.text();
      if (json !== lastListJson) {
        lastListJson = json;
        const data = JSON.parse(json);
        if (!selected && data.threads.length > 0) selected = { app: data.threads[0].app, id: data.threads[0].id };
        renderList(data.threads);
      }
      if (selected) {
        const r = await fetch(`/console/api/threads/${selected.app}/${selected.id}`, { cache: 'no-store' });
        const body = await r.text();
        if (r.ok && body !== lastThreadJson) {
          lastThreadJson = body;
          renderThread(JSON.parse(body));
        }
      }
      status.textContent = 'live';
    } catch {
      status.textContent = 'offline — retrying';
    }
  }

  function select(app, id) {
    selected = { app, id };
    lastListJson = '';
    lastThreadJson = '';
    replyStatus.textContent = '';
    void refresh();
  }

  async function sendReply() {
    if (!selected) return;
    const text = input.value;
    if (!text.trim()) return;
    replyStatus.textContent = 'sending…';
    const res = await fetch(`/console/api/threads/${selected.app}/${selected.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    const data = await res.json().catch(() => ({}));
    if (res.ok) {
      input.value = '';
      replyStatus.textContent = 'sent';
    } else replyStatus.textContent = `not sent: ${data.error || res.status}`;
    void refresh();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void sendReply();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void sendReply();
    }
  });
  const hash = /^#(slack|discord)\/([0-9.]+)$/.exec(window.location.hash);
  if (hash) selected = { app: hash[1], id: hash[2] };
  void refresh();
  setInterval(refresh, 1500);
})();
