import { z } from 'zod';

/** Pages of a visitor kept for the inbox (the newest); the widget keeps as many in its session storage. */
export const VISITOR_PAGE_VIEWS_KEPT = 20;
/** A page's URL as reported and stored: longer ones are cut by the widget and refused here. */
export const PAGE_URL_MAX = 500;

/** Whether this runtime's Intl knows the zone (the office hours' zone, a visitor's browser zone). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone the server's Intl knows ("Europe/Paris"); anything else is not a zone. */
export const ZVisitorTimeZone = z.string().min(1).max(64).refine(isValidTimeZone, 'unknown time zone');

/**
 * One page the widget saw: [url without fragment, the browser's epoch milliseconds]. `location.href` is
 * percent-encoded, so a real URL has no control character and no raw surrogate (which Postgres could not store).
 */
export const ZPageVisit = z.tuple([
  z
    .string()
    .min(1)
    .max(PAGE_URL_MAX)
    .refine((url) => !/[\ud800-\udfff]/.test(url) && ![...url].some((c) => c < ' '), 'not a URL'),
  z.number().int().positive(),
]);
export type TPageVisit = z.infer<typeof ZPageVisit>;

/**
 * The widget's list of pages, lenient per entry: a malformed or oversized entry is dropped, the rest kept (the
 * newest VISITOR_PAGE_VIEWS_KEPT), so one bad entry never costs the visitor their connection.
 */
export const ZPageVisits = z
  .array(z.unknown())
  .max(100)
  .transform((list) =>
    list
      .flatMap((entry) => {
        const parsed = ZPageVisit.safeParse(entry);
        return parsed.success ? [parsed.data] : [];
      })
      .slice(-VISITOR_PAGE_VIEWS_KEPT),
  );

/** widget → server `pages` (an in-page navigation) and the same fields in the handshake. */
export const ZWidgetPages = z.object({
  pages: ZPageVisits,
  /** The browser's clock when sending: the server moves each page's time onto its own clock with it. */
  now: z.number().int().positive(),
});
export type TWidgetPages = z.infer<typeof ZWidgetPages>;

/** An optional field that becomes undefined when invalid instead of failing the whole handshake. */
export const optionalOrDropped = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
