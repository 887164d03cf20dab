/** Public widget keys, as created by @pocketping/db createProject. */
export const PROJECT_KEY_FORMAT = /^pk_[A-Za-z0-9_-]{10,60}$/;

export function isProjectKey(value: unknown): value is string {
  return typeof value === 'string' && PROJECT_KEY_FORMAT.test(value);
}

export interface TWidgetEmbed {
  loaderUrl: string;
  realtimeUrl: string;
  projectKey: string;
}

/** Where the realtime service serves the loader; a trailing slash in REALTIME_PUBLIC_URL is tolerated. */
export function widgetEmbed(realtimePublicUrl: string, projectKey: string): TWidgetEmbed {
  const realtimeUrl = realtimePublicUrl.replace(/\/+$/, '');
  return { loaderUrl: `${realtimeUrl}/widget/loader.js`, realtimeUrl, projectKey };
}

const escapeAttr = (v: string) =>
  v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The exact tag a customer pastes before </body>. */
export function widgetSnippet(embed: TWidgetEmbed): string {
  return `<script async src="${escapeAttr(embed.loaderUrl)}" data-project-key="${escapeAttr(embed.projectKey)}" data-realtime-url="${escapeAttr(embed.realtimeUrl)}"></script>`;
}
