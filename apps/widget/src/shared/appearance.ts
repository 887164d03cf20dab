export interface TAppearance {
  color: string;
  position: 'left' | 'right';
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/** Reads the appearance cached by a previous session; anything unexpected falls back to the defaults. */
export function parseAppearance(raw: string | null, fallback: TAppearance): TAppearance {
  if (!raw) return fallback;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return fallback;
    return sanitizeAppearance(value as Partial<Record<keyof TAppearance, unknown>>, fallback);
  } catch {
    return fallback;
  }
}

/** The colour ends up in CSS, so only a plain #rrggbb value is ever accepted. */
export function sanitizeAppearance(
  value: Partial<Record<keyof TAppearance, unknown>>,
  fallback: TAppearance,
): TAppearance {
  return {
    color: typeof value.color === 'string' && HEX_COLOR.test(value.color) ? value.color : fallback.color,
    position: value.position === 'left' || value.position === 'right' ? value.position : fallback.position,
  };
}

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function readableTextColor(hex: string): '#ffffff' | '#111827' {
  if (!HEX_COLOR.test(hex)) return '#ffffff';
  const channel = (offset: number) => {
    const c = parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast with white is (1.05)/(L+0.05), with near-black (L+0.05)/(0.0137+0.05): white wins below L≈0.18.
  return luminance > 0.18 ? '#111827' : '#ffffff';
}
