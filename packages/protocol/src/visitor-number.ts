/**
 * A short number that tells visitors apart on a phone screen or in an email ("Visitor #4821"): four digits derived
 * from the visitor id, so the same visitor keeps it in every thread, on every platform and in every email. Not
 * unique — a label, never a key.
 */
export function visitorNumber(visitorId: string): number {
  // FNV-1a over the id's UTF-16 units: stable, spread, no dependency.
  let h = 0x811c9dc5;
  for (let i = 0; i < visitorId.length; i++) h = Math.imul(h ^ visitorId.charCodeAt(i), 0x01000193);
  return 1000 + ((h >>> 0) % 9000);
}
