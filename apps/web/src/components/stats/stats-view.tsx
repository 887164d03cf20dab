'use client';

import { useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, ApiError } from '~/lib/api-client';
import type { TStatsFiguresJson, TStatsReportJson } from '~/server/stats/stats-report';
import './stats.css';

/**
 * The stats page (organization or project): a period in the viewer's own time zone (7/30/90 days or custom dates),
 * the figures beside the previous period's, charts drawn with recharts, each with a table of the same numbers
 * (the accessible view), and the CSV export. Figures come from /api/app/orgs/:org/stats.
 */

const PRESETS = ['7', '30', '90'] as const;
type TPreset = (typeof PRESETS)[number] | 'custom';
const DAY_MS = 24 * 60 * 60 * 1000;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const CHANNEL_LABEL: Record<string, string> = {
  dashboard: 'Dashboard',
  telegram: 'Telegram',
  slack: 'Slack',
  discord: 'Discord',
  api: 'API',
  ai: 'AI',
  other: 'Other',
};
const CHANNEL_COLOR: Record<string, string> = {
  dashboard: '#2563eb',
  telegram: '#229ed9',
  slack: '#611f69',
  discord: '#5865f2',
  api: '#0f766e',
  ai: '#d97706',
  other: '#64748b',
};
const num = new Intl.NumberFormat('en');

function localToday(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date());
}
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 95 → "1 min 35 s"; 7300 → "2 h 2 min"; null → "—". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ''}`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${Math.round((part / whole) * 100)} %`;
}

/** "+25 %" / "−10 %" / "=" against the previous period; null when there is nothing to compare with. */
function delta(current: number | null, previous: number | null): string | null {
  if (current === null || previous === null) return null;
  if (previous === 0) return current === 0 ? '=' : null;
  const d = Math.round(((current - previous) / previous) * 100);
  return d === 0 ? '=' : `${d > 0 ? '+' : '−'}${Math.abs(d)} %`;
}

function Figure(props: {
  id: string;
  label: string;
  value: string;
  previous: string;
  change: string | null;
  hint?: string;
}) {
  return (
    <div className="stat-figure" data-testid={`stat-${props.id}`}>
      <span className="stat-label">{props.label}</span>
      <strong className="stat-value" data-value>
        {props.value}
      </strong>
      <span className="muted stat-previous">
        previous: <span data-previous>{props.previous}</span>
        {props.change ? ` (${props.change})` : ''}
      </span>
      {props.hint ? <span className="muted stat-hint">{props.hint}</span> : null}
    </div>
  );
}

/** A chart with its table view: the same numbers, switched by a button (the table is what a screen reader reads). */
function ChartCard(props: { id: string; title: string; chart: ReactNode; table: ReactNode; note?: string }) {
  const [asTable, setAsTable] = useState(false);
  return (
    <section className="card stack stat-chart" aria-labelledby={`${props.id}-title`} data-testid={`chart-${props.id}`}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <button type="button" className="btn-link" aria-pressed={asTable} onClick={() => setAsTable((v) => !v)}>
          {asTable ? 'Show chart' : 'Show table'}
        </button>
      </div>
      {props.note ? (
        <p className="muted" style={{ margin: 0 }}>
          {props.note}
        </p>
      ) : null}
      {asTable ? props.table : <div aria-hidden="true">{props.chart}</div>}
    </section>
  );
}

function Table(props: { caption: string; head: string[]; rows: (string | number)[][] }) {
  return (
    <div className="stat-table-wrap">
      <table className="stat-table">
        <caption className="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={String(r[0])}>
              {r.map((v, i) =>
                i === 0 ? (
                  <th key={i} scope="row">
                    {v}
                  </th>
                ) : (
                  <td key={i}>{typeof v === 'number' ? num.format(v) : v}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Summary({ r }: { r: TStatsReportJson }) {
  const c = r.current;
  const p = r.previous;
  const count = (v: number) => num.format(v);
  return (
    <section className="stat-figures" aria-label="Summary">
      <Figure
        id="conversations"
        label="Conversations"
        value={count(c.conversations)}
        previous={count(p.conversations)}
        change={delta(c.conversations, p.conversations)}
      />
      <Figure
        id="first-response"
        label="First response (median)"
        value={formatDuration(c.firstResponse.medianSeconds)}
        previous={formatDuration(p.firstResponse.medianSeconds)}
        change={delta(c.firstResponse.medianSeconds, p.firstResponse.medianSeconds)}
        hint={`p90 ${formatDuration(c.firstResponse.p90Seconds)}`}
      />
      <Figure
        id="resolution"
        label="Resolution time (median)"
        value={formatDuration(c.resolution.medianSeconds)}
        previous={formatDuration(p.resolution.medianSeconds)}
        change={delta(c.resolution.medianSeconds, p.resolution.medianSeconds)}
        hint={`p90 ${formatDuration(c.resolution.p90Seconds)}`}
      />
      <Figure
        id="csat"
        label="CSAT (average of 5)"
        value={c.csat.average === null ? '—' : c.csat.average.toFixed(2)}
        previous={p.csat.average === null ? '—' : p.csat.average.toFixed(2)}
        change={delta(c.csat.average, p.csat.average)}
        hint={`${count(c.csat.count)} ratings`}
      />
      <Figure
        id="unanswered"
        label="Never answered"
        value={count(c.unanswered)}
        previous={count(p.unanswered)}
        change={delta(c.unanswered, p.unanswered)}
      />
      <div className="stat-figure" data-testid="stat-waiting">
        <span className="stat-label">Waiting for a reply now</span>
        <strong className="stat-value" data-value>
          {count(r.waitingNow)}
        </strong>
      </div>
    </section>
  );
}

function PerDay({ r }: { r: TStatsReportJson }) {
  const data = r.current.perDay.map((d, i) => ({
    date: d.date,
    conversations: d.conversations,
    previous: r.previous.perDay[i]?.conversations ?? 0,
  }));
  return (
    <ChartCard
      id="per-day"
      title="Conversations per day"
      note="The dashed line is the previous period, day for day."
      chart={
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="date" tick={{ fontSize: 12 }} minTickGap={24} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={40} />
            <Tooltip />
            <Legend />
            <Line type="linear" dataKey="conversations" name="This period" stroke="#2563eb" dot={false} />
            <Line
              type="linear"
              dataKey="previous"
              name="Previous period"
              stroke="#94a3b8"
              strokeDasharray="4 4"
              dot={false}
            />
          </LineChart>
        </ResponsiveContainer>
      }
      table={
        <Table
          caption="Conversations per day"
          head={['Day', 'Conversations', 'Previous period']}
          rows={data.map((d) => [d.date, d.conversations, d.previous])}
        />
      }
    />
  );
}

function AnsweredBy({ f }: { f: TStatsFiguresJson }) {
  const total = f.firstResponse.count;
  const data = f.answeredBy.filter((a) => a.count > 0 || a.channel !== 'other');
  return (
    <ChartCard
      id="answered-by"
      title="Where the first reply was written"
      chart={
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={data.map((a) => ({ ...a, label: CHANNEL_LABEL[a.channel] }))} layout="vertical">
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
            <YAxis type="category" dataKey="label" width={90} tick={{ fontSize: 12 }} />
            <Tooltip />
            <Bar dataKey="count" name="Conversations">
              {data.map((a) => (
                <Cell key={a.channel} fill={CHANNEL_COLOR[a.channel]} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <Table
          caption="Where the first reply was written"
          head={['Answered from', 'Conversations', 'Share']}
          rows={data.map((a) => [CHANNEL_LABEL[a.channel] ?? a.channel, a.count, percent(a.count, total)])}
        />
      }
    />
  );
}

function Csat({ f }: { f: TStatsFiguresJson }) {
  return (
    <ChartCard
      id="csat"
      title="Ratings (CSAT)"
      chart={
        <ResponsiveContainer width="100%" height={220}>
          <BarChart data={f.csat.distribution.map((d) => ({ ...d, label: `${d.score} ★` }))}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="label" tick={{ fontSize: 12 }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 12 }} width={40} />
            <Tooltip />
            <Bar dataKey="count" name="Ratings" fill="#16a34a" />
          </BarChart>
        </ResponsiveContainer>
      }
      table={
        <Table
          caption="Ratings (CSAT)"
          head={['Score', 'Ratings', 'Share']}
          rows={f.csat.distribution.map((d) => [`${d.score}`, d.count, percent(d.count, f.csat.count)])}
        />
      }
    />
  );
}

function Heatmap({ f, timeZone }: { f: TStatsFiguresJson; timeZone: string }) {
  const max = Math.max(1, ...f.heatmap.map((h) => h.conversations));
  const cell = (weekday: number, hour: number) =>
    f.heatmap.find((h) => h.weekday === weekday && h.hour === hour)?.conversations ?? 0;
  const hours = Array.from({ length: 24 }, (_, h) => h);
  return (
    <ChartCard
      id="heatmap"
      title="Busiest hours"
      note={`Conversations started, by weekday and hour (${timeZone}).`}
      chart={
        <div className="heatmap" role="presentation">
          <span />
          {hours.map((h) => (
            <span key={h} className="heatmap-hour">
              {h % 3 === 0 ? h : ''}
            </span>
          ))}
          {WEEKDAYS.map((day, i) => (
            <div key={day} className="heatmap-row">
              <span className="heatmap-day">{day}</span>
              {hours.map((h) => {
                const n = cell(i + 1, h);
                return (
                  <span
                    key={h}
                    className="heatmap-cell"
                    title={`${day} ${String(h).padStart(2, '0')}:00 — ${n}`}
                    style={{ background: n === 0 ? '#f1f5f9' : `rgba(37, 99, 235, ${0.15 + (0.85 * n) / max})` }}
                  />
                );
              })}
            </div>
          ))}
        </div>
      }
      table={
        <Table
          caption="Conversations started by weekday and hour"
          head={['Weekday', ...hours.map((h) => `${String(h).padStart(2, '0')}h`)]}
          rows={WEEKDAYS.map((day, i) => [day, ...hours.map((h) => cell(i + 1, h))])}
        />
      }
    />
  );
}

export function StatsView(props: { orgId: string; projectId?: string; projects?: { id: string; name: string }[] }) {
  const [timeZone, setTimeZone] = useState('UTC');
  const [preset, setPreset] = useState<TPreset>('30');
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null);
  const [projectId, setProjectId] = useState(props.projectId ?? '');
  const [report, setReport] = useState<{ query: string; stats: TStatsReportJson } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    setTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
    setReady(true);
  }, []);

  const period = useMemo(() => {
    if (preset === 'custom' && custom) return custom;
    const to = localToday(timeZone);
    return { from: addDays(to, -(Number(preset === 'custom' ? '30' : preset) - 1)), to };
  }, [preset, custom, timeZone]);

  const query = useMemo(() => {
    const q = new URLSearchParams({ from: period.from, to: period.to, tz: timeZone });
    if (projectId) q.set('projectId', projectId);
    return q.toString();
  }, [period, timeZone, projectId]);

  useEffect(() => {
    if (!ready) return;
    let live = true;
    setError(null);
    api<{ stats: TStatsReportJson }>(`/api/app/orgs/${props.orgId}/stats?${query}`)
      .then((r) => live && setReport({ query, stats: r.stats }))
      .catch((err: unknown) => live && setError(err instanceof ApiError ? err.message : 'Could not load the stats.'));
    return () => {
      live = false;
    };
  }, [ready, query, props.orgId]);

  const shown = report?.query === query ? report.stats : null;
  return (
    <div className="stack stats-page">
      <form className="card row stat-controls" aria-label="Period" onSubmit={(e) => e.preventDefault()}>
        {props.projects ? (
          <label className="field">
            <span>Project</span>
            <select value={projectId} onChange={(e) => setProjectId(e.target.value)}>
              <option value="">All projects</option>
              {props.projects.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <fieldset className="row stat-presets">
          <legend className="sr-only">Period</legend>
          {PRESETS.map((p) => (
            <button
              key={p}
              type="button"
              className="btn"
              aria-pressed={preset === p}
              onClick={() => {
                setPreset(p);
                setCustom(null);
              }}
            >
              Last {p} days
            </button>
          ))}
          <button
            type="button"
            className="btn"
            aria-pressed={preset === 'custom'}
            onClick={() => {
              setPreset('custom');
              setCustom(period);
            }}
          >
            Custom
          </button>
        </fieldset>
        {preset === 'custom' && custom ? (
          <>
            <label className="field">
              <span>From</span>
              <input
                type="date"
                value={custom.from}
                max={custom.to}
                onChange={(e) => e.target.value && setCustom({ ...custom, from: e.target.value })}
              />
            </label>
            <label className="field">
              <span>To</span>
              <input
                type="date"
                value={custom.to}
                min={custom.from}
                onChange={(e) => e.target.value && setCustom({ ...custom, to: e.target.value })}
              />
            </label>
          </>
        ) : null}
        <a className="btn" href={`/api/app/orgs/${props.orgId}/stats?${query}&format=csv`} download>
          Export CSV
        </a>
      </form>
      <p className="muted" style={{ margin: 0 }} data-testid="stats-period">
        {period.from} to {period.to} ({timeZone}), compared with the {shown?.previous.perDay.length ?? ''} days before.
        Figures are about the conversations started in the period.
      </p>
      {error ? (
        <p className="alert" role="alert">
          {error}
        </p>
      ) : null}
      {shown ? (
        <div className="stack" data-testid="stats-ready" data-query={query}>
          <Summary r={shown} />
          <PerDay r={shown} />
          <div className="stat-grid">
            <AnsweredBy f={shown.current} />
            <Csat f={shown.current} />
          </div>
          <Heatmap f={shown.current} timeZone={shown.timeZone} />
        </div>
      ) : error ? null : (
        <p className="muted">Loading…</p>
      )}
    </div>
  );
}
