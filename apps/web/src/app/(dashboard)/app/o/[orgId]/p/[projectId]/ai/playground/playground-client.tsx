'use client';

import { useState, type FormEvent } from 'react';
import { api, ApiError } from '~/lib/api-client';

interface TPassage {
  chunkId: string;
  title: string;
  url: string | null;
  text: string;
  score: number;
  ranks: { fullText: number | null; vector: number | null };
}

type TAnswer =
  | { kind: 'answer'; text: string; sources: { title: string; url: string | null }[] }
  | { kind: 'handoff'; reason: string }
  | { kind: 'error'; message: string }
  | { kind: 'unavailable'; message: string };

interface TResult {
  passages: TPassage[];
  mode: 'full-text' | 'hybrid';
  answer: TAnswer;
}

/** Links are shown only when they are web links: a passage's URL comes from a crawled page. */
const safeHref = (u: string | null) => (u && /^https?:\/\//i.test(u) ? u : null);

export function Playground({ orgId, projectId }: { orgId: string; projectId: string }) {
  const [question, setQuestion] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<TResult | null>(null);

  async function ask(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResult(
        await api<TResult>(`/api/app/orgs/${orgId}/projects/${projectId}/ai/playground`, { body: { question } }),
      );
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The assistant could not be asked. Try again.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <form className="card stack" onSubmit={(e) => void ask(e)} aria-label="Ask your assistant">
        <label className="field">
          <span>Question</span>
          <input
            type="text"
            required
            maxLength={1000}
            value={question}
            onChange={(e) => setQuestion(e.target.value)}
            placeholder="e.g. How long does delivery take?"
          />
        </label>
        <div className="row">
          <button type="submit" className="btn" disabled={busy}>
            {busy ? 'Asking…' : 'Ask'}
          </button>
        </div>
        {error ? (
          <p className="alert error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
      {result ? (
        <>
          <section className="card stack" aria-labelledby="pg-answer" data-testid="playground-answer">
            <h2 id="pg-answer" style={{ marginTop: 0, fontSize: '1.1rem' }}>
              Answer
            </h2>
            {result.answer.kind === 'answer' ? (
              <>
                <p style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{result.answer.text}</p>
                {result.answer.sources.length > 0 ? (
                  <ul className="muted">
                    {result.answer.sources.map((s, i) => {
                      const href = safeHref(s.url);
                      return (
                        <li key={i}>
                          {href ? (
                            <a href={href} target="_blank" rel="noreferrer noopener">
                              {s.title}
                            </a>
                          ) : (
                            s.title
                          )}
                        </li>
                      );
                    })}
                  </ul>
                ) : null}
              </>
            ) : result.answer.kind === 'handoff' ? (
              <p className="alert info">The assistant would hand over to your team: {result.answer.reason}</p>
            ) : (
              <p className="alert error">{result.answer.message}</p>
            )}
          </section>
          <section className="card stack" aria-labelledby="pg-passages" data-testid="playground-passages">
            <h2 id="pg-passages" style={{ marginTop: 0, fontSize: '1.1rem' }}>
              Passages retrieved ({result.mode === 'hybrid' ? 'full text + embeddings' : 'full text'})
            </h2>
            {result.passages.length === 0 ? (
              <p className="muted">No passage of your knowledge matches this question.</p>
            ) : (
              result.passages.map((p, i) => {
                const href = safeHref(p.url);
                return (
                  <article key={p.chunkId} className="passage" data-testid="passage">
                    <div className="passage-head">
                      <strong>
                        [{i + 1}]{' '}
                        {href ? (
                          <a href={href} target="_blank" rel="noreferrer noopener">
                            {p.title}
                          </a>
                        ) : (
                          p.title
                        )}
                      </strong>
                      <span
                        className="muted"
                        title={`full-text rank ${p.ranks.fullText ?? '—'}, vector rank ${p.ranks.vector ?? '—'}`}
                      >
                        score {p.score.toFixed(4)}
                      </span>
                    </div>
                    <div>{p.text}</div>
                  </article>
                );
              })
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}
