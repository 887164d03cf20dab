/** The first value of a search param of a page (Next gives string | string[] | undefined). */
export function param(sp: Record<string, string | string[] | undefined>, name: string): string {
  const v = sp[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** A prefill for an email input: only something that looks like an address, never markup or a novel. */
export function emailParam(sp: Record<string, string | string[] | undefined>): string {
  const v = param(sp, 'email').trim();
  return v.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(v) ? v : '';
}

export type TSearchParams = Promise<Record<string, string | string[] | undefined>>;
