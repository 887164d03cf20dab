import { z } from 'zod';
import { listAuditEntries, type TAuditEntry, type TAuditQuery, type TDb } from '@pocketping/db';

const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date (YYYY-MM-DD)');

/** The audit page's filters, from its query string (and the CSV export's): all optional. */
export const ZAuditFilter = z.object({
  actor: z
    .string()
    .trim()
    .max(64)
    .optional()
    .or(z.literal('').transform(() => undefined)),
  action: z
    .string()
    .trim()
    .max(100)
    .regex(/^[a-z0-9_.]*$/, 'an action name')
    .optional(),
  from: ZDay.optional().or(z.literal('').transform(() => undefined)),
  to: ZDay.optional().or(z.literal('').transform(() => undefined)),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/)
    .optional(),
});
export type TAuditFilter = z.output<typeof ZAuditFilter>;

export const AUDIT_PAGE_SIZE = 50;
/** The CSV export stops here (a year of a busy organization fits; narrow the dates for more). */
export const AUDIT_CSV_MAX_ROWS = 50_000;

export function encodeAuditCursor(c: { createdAt: Date; id: string }): string {
  return Buffer.from(`${c.createdAt.toISOString()}|${c.id}`).toString('base64url');
}

function decodeAuditCursor(raw: string | undefined): TAuditQuery['cursor'] {
  if (!raw) return undefined;
  const [iso, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  return id && !Number.isNaN(createdAt.getTime()) ? { createdAt, id } : undefined;
}

/** The filter as a repository query: `to` includes its whole day (UTC). */
export function toAuditQuery(f: TAuditFilter, limit: number): TAuditQuery {
  const day = (d: string) => new Date(`${d}T00:00:00.000Z`);
  return {
    actorId: f.actor || undefined,
    action: f.action || undefined,
    from: f.from ? day(f.from) : undefined,
    to: f.to ? new Date(day(f.to).getTime() + 86_400_000) : undefined,
    cursor: decodeAuditCursor(f.cursor),
    limit,
  };
}

/** A CSV cell: quoted, quotes doubled, and a leading = + - @ (a spreadsheet formula) neutralised with a quote. */
function cell(value: string | null): string {
  let s = value ?? '';
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export const AUDIT_CSV_HEADER = [
  'time',
  'actor_type',
  'actor_id',
  'actor',
  'action',
  'target_type',
  'target_id',
  'ip',
  'user_agent',
  'details',
];

export function auditCsvRow(e: TAuditEntry): string {
  return [
    e.createdAt,
    e.actorType,
    e.actorId,
    e.actorLabel,
    e.action,
    e.targetType,
    e.targetId,
    e.ip,
    e.userAgent,
    JSON.stringify(e.metadata ?? {}),
  ]
    .map(cell)
    .join(',');
}

/** The filtered audit log as CSV, newest first, read page by page (never the whole table in memory at once). */
export function auditCsvStream(db: TDb, organizationId: string, filter: TAuditFilter): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let query: TAuditQuery | null = toAuditQuery({ ...filter, cursor: undefined }, 1000);
  let sent = 0;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(enc.encode(`${AUDIT_CSV_HEADER.map(cell).join(',')}\r\n`));
        return;
      }
      if (!query || sent >= AUDIT_CSV_MAX_ROWS) {
        controller.close();
        return;
      }
      const { entries, next } = await listAuditEntries(db, organizationId, query);
      sent += entries.length;
      query = next ? { ...query, cursor: next } : null;
      if (entries.length === 0) {
        controller.close();
        return;
      }
      controller.enqueue(enc.encode(entries.map((e) => `${auditCsvRow(e)}\r\n`).join('')));
    },
  });
}
