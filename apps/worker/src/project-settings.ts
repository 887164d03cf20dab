import { getProject, type TDb } from '@pocketping/db';
import { parseProjectSettings, type TProjectSettings } from '@pocketping/protocol';

/** A project's settings (`Project.settings`, parsed with their defaults), or null when the project is gone. */
export async function loadProjectSettings(
  db: TDb,
  organizationId: string,
  projectId: string,
): Promise<TProjectSettings | null> {
  const project = await getProject(db, organizationId, projectId);
  return project ? parseProjectSettings(project.settings) : null;
}

export type TProjectSettingsReader = (organizationId: string, projectId: string) => Promise<TProjectSettings | null>;

/**
 * The worker's one home for "the settings of this conversation's project": each project is read once for as long as
 * the reader lives — one job (the AI timer and the wait notice of a visitor message share it) or one pass over many
 * conversations (the visitor-reply emails). Make a new reader per job or pass, so a changed setting counts next time.
 */
export function projectSettingsReader(db: TDb): TProjectSettingsReader {
  const seen = new Map<string, Promise<TProjectSettings | null>>();
  return (organizationId, projectId) => {
    const key = `${organizationId}/${projectId}`;
    let settings = seen.get(key);
    if (!settings) {
      settings = loadProjectSettings(db, organizationId, projectId);
      seen.set(key, settings);
      settings.catch(() => seen.delete(key));
    }
    return settings;
  };
}
