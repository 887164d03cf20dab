/* global history */
// Script of the fake Telegram operator console (served as /console.js, see fake-telegram-console.ts).
// Builds every node with createElement/textContent: message text is hostile and is never parsed as HTML.
(function () {
  'use strict';

  const app = document.getElementById('app');
  if (!app) return;
  const $ = (sel) => app.querySelector(sel);
  const topicList = $('[data-tg="topic-list"]');
  const noTopics = $('[data-tg="no-topics"]');
  const title = $('[data-tg="topic-title"]');
  const messageList = $('[data-tg="message-list"]');
  const form = $('[data-tg="reply-form"]');
  const input = $('[data-tg="reply-input"]');
  const sendButton = $('[data-tg="reply-send"]');
  const replyStatus = $('[data-tg="reply-status"]');
  const liveStatus = $('[data-tg="status"]');
  const webhookLabel = $('[data-tg="webhook"]');

  const refreshMs = Math.min(2000, Math.max(1000, Number(app.getAttribute('data-refresh-ms')) || 1500));
  let selected = Number(app.getAttribute('data-selected-thread-id')) || null;
  let topics = [];
  let lastTopicsKey = '';
  let lastThreadKey = '';
  let busy = false;

  // --- DOM helpers --------------------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'className') node.className = String(value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  const SAFE_LINK = /^(https?:|mailto:|tg:)/i;
  const MARKS = ['b', 'i', 'u', 's', 'code', 'pre'];

  /** Formatting comes from message entities as {text, marks, href} runs; only a fixed set of tags is created. */
  function renderSegments(segments) {
    const frag = document.createDocumentFragment();
    for (const seg of segments || []) {
      let node = document.createTextNode(String(seg.text));
      const marks = (seg.marks || []).filter((m) => MARKS.includes(m));
      for (let k = marks.length - 1; k >= 0; k--) node = el(marks[k], {}, [node]);
      if (typeof seg.href === 'string' && SAFE_LINK.test(seg.href)) {
        node = el('a', { href: seg.href, target: '_blank', rel: 'noopener noreferrer nofollow' }, [node]);
      }
      frag.appendChild(node);
    }
    return frag;
  }

  function timeOf(unix) {
    return new Date(unix * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  // --- rendering ----------------------------------------------------------------------------------------------

  function renderTopics() {
    clear(topicList);
    for (const t of topics) {
      const isSelected = t.threadId === selected;
      const sub = t.last ? (t.last.fromBot ? '' : 'Operator: ') + t.last.preview : 'No messages yet';
      const cls = 'topic' + (isSelected ? ' selected' : '') + (t.closed ? ' closed' : '');
      topicList.appendChild(
        el('li', {}, [
          el(
            'a',
            {
              className: cls,
              href: '/?topic=' + t.threadId,
              'data-tg': t.general ? 'general' : 'topic',
              'data-thread-id': t.threadId,
              'aria-current': isSelected ? 'true' : null,
            },
            [
              el('span', { className: 'topic-name' }, [t.name]),
              t.closed ? el('span', { className: 'badge' }, ['closed']) : null,
              el('span', { className: 'topic-sub' }, [sub]),
            ],
          ),
        ]),
      );
    }
    noTopics.hidden = topics.length > 0;
  }

  function renderMessage(m) {
    const flags = (m.edited ? ' · edited' : '') + (m.deleted ? ' · deleted' : '');
    const media =
      m.kind === 'photo' ? '[photo] ' : m.kind === 'document' ? '[file: ' + (m.fileName || 'document') + '] ' : '';
    return el(
      'li',
      {
        className: 'msg ' + (m.fromBot ? 'from-bot' : 'from-human') + (m.deleted ? ' deleted' : ''),
        'data-tg': 'message',
        'data-message-id': m.messageId,
      },
      [
        el('div', { className: 'msg-head' }, [
          el('span', { className: 'sender' }, [m.sender]),
          el('time', { datetime: new Date(m.date * 1000).toISOString() }, [timeOf(m.date)]),
          el('span', { className: 'flags' }, [flags]),
        ]),
        el('div', { className: 'msg-body' }, [
          media ? el('span', { className: 'media' }, [media]) : null,
          renderSegments(m.segments),
        ]),
      ],
    );
  }

  function renderThread(topic, messages) {
    const atBottom = messageList.scrollHeight - messageList.scrollTop - messageList.clientHeight < 48;
    title.textContent = topic ? topic.name : 'No topic selected';
    clear(messageList);
    for (const m of messages) messageList.appendChild(renderMessage(m));
    form.hidden = !topic;
    if (atBottom) messageList.scrollTop = messageList.scrollHeight;
  }

  function setLive(ok) {
    liveStatus.textContent = ok ? 'live' : 'offline, retrying…';
    liveStatus.className = ok ? 'live' : 'live offline';
  }

  // --- data ---------------------------------------------------------------------------------------------------

  async function getJson(url) {
    const res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
    const body = await res.json();
    return { status: res.status, body };
  }

  async function refresh() {
    const list = await getJson('/console/api/topics');
    if (!list.body.ok) throw new Error(list.body.error || 'topics request failed');
    topics = list.body.topics;
    const hook = list.body.webhook;
    webhookLabel.textContent = hook ? 'webhook → ' + hook.url : 'no webhook set (updates wait for getUpdates)';
    if (selected !== null && !topics.some((t) => t.threadId === selected)) selected = null;
    if (selected === null && topics.length > 0) select(topics[0].threadId, false);
    const topicsKey = JSON.stringify([selected, topics]);
    if (topicsKey !== lastTopicsKey) {
      lastTopicsKey = topicsKey;
      renderTopics();
    }
    if (selected === null) {
      if (lastThreadKey !== 'none') {
        lastThreadKey = 'none';
        renderThread(null, []);
      }
      return;
    }
    const thread = await getJson('/console/api/topics/' + selected);
    if (!thread.body.ok) return; // deleted meanwhile: the next topic list drops it
    const threadKey = JSON.stringify([selected, thread.body]);
    if (threadKey !== lastThreadKey) {
      const switched = !lastThreadKey.startsWith('[' + selected + ',');
      lastThreadKey = threadKey;
      renderThread(thread.body.topic, thread.body.messages);
      if (switched) messageList.scrollTop = messageList.scrollHeight;
    }
  }

  async function tick() {
    if (busy) return;
    busy = true;
    try {
      await refresh();
      setLive(true);
    } catch {
      setLive(false);
    } finally {
      busy = false;
    }
  }

  function select(threadId, now) {
    selected = threadId;
    app.setAttribute('data-selected-thread-id', String(threadId));
    history.replaceState(null, '', '/?topic=' + threadId);
    replyStatus.textContent = '';
    if (now) {
      lastTopicsKey = '';
      renderTopics();
      void tick();
    }
  }

  // --- events -------------------------------------------------------------------------------------------------

  topicList.addEventListener('click', (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // new tab etc.
    const link = event.target instanceof window.Element ? event.target.closest('a[data-thread-id]') : null;
    if (!link) return;
    event.preventDefault();
    select(Number(link.getAttribute('data-thread-id')), true);
  });

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  function describeDelivery(r) {
    if (r.delivery === 'webhook') {
      if (r.webhookStatus >= 200 && r.webhookStatus < 300)
        return 'Delivered to the webhook (HTTP ' + r.webhookStatus + ').';
      if (r.webhookStatus === 0) return 'Saved, but the webhook could not be reached. Is the web app running?';
      return 'Saved, but the webhook answered HTTP ' + r.webhookStatus + '.';
    }
    if (r.delivery === 'queued') return 'Saved; no webhook is set, so the update waits for getUpdates.';
    return 'Saved; the bot did not ask for this kind of update (allowed_updates).';
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value;
    if (selected === null || text.trim() === '') return;
    sendButton.disabled = true;
    replyStatus.textContent = 'Sending…';
    try {
      const res = await fetch('/console/api/topics/' + selected + '/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ text }),
      });
      const body = await res.json();
      if (!body.ok) throw new Error(body.error || 'HTTP ' + res.status);
      input.value = '';
      replyStatus.textContent = describeDelivery(body);
      messageList.scrollTop = messageList.scrollHeight;
      await tick();
      messageList.scrollTop = messageList.scrollHeight;
    } catch (err) {
      replyStatus.textContent = 'Could not send: ' + (err && err.message ? err.message : String(err));
    } finally {
      sendButton.disabled = false;
      input.focus();
    }
  });

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void tick();
  });

  messageList.scrollTop = messageList.scrollHeight;
  window.setInterval(() => void tick(), refreshMs);
  void tick();
})();
