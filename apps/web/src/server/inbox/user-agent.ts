/** "Chrome 126 on macOS" from a User-Agent string: enough for a human, no dependency. Unknown parts are null. */
export function describeUserAgent(ua: string | null | undefined): {
  browser: string | null;
  os: string | null;
  mobile: boolean;
} {
  if (!ua) return { browser: null, os: null, mobile: false };
  const version = (re: RegExp) => re.exec(ua)?.[1]?.split('.')[0] ?? '';
  let browser: string | null = null;
  // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
  if (/Edg(e|A|iOS)?\//.test(ua)) browser = `Edge ${version(/Edg(?:e|A|iOS)?\/([\d.]+)/)}`;
  else if (/OPR\/|Opera/.test(ua)) browser = `Opera ${version(/OPR\/([\d.]+)/)}`;
  else if (/Firefox\/|FxiOS\//.test(ua)) browser = `Firefox ${version(/(?:Firefox|FxiOS)\/([\d.]+)/)}`;
  else if (/Chrome\/|CriOS\//.test(ua)) browser = `Chrome ${version(/(?:Chrome|CriOS)\/([\d.]+)/)}`;
  else if (/Safari\//.test(ua)) browser = `Safari ${version(/Version\/([\d.]+)/)}`;
  let os: string | null = null;
  if (/Windows NT/.test(ua)) os = 'Windows';
  else if (/iPhone|iPad|iPod/.test(ua)) os = 'iOS';
  else if (/Android/.test(ua)) os = 'Android';
  else if (/Mac OS X|Macintosh/.test(ua)) os = 'macOS';
  else if (/CrOS/.test(ua)) os = 'ChromeOS';
  else if (/Linux/.test(ua)) os = 'Linux';
  return { browser: browser?.trim() ?? null, os, mobile: /Mobi|iPhone|Android.*Mobile/.test(ua) };
}
