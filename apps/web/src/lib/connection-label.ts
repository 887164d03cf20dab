/** What a connection card calls its target: the names captured when connecting, the raw ids for older rows. */
export interface TConnectionLabelInput {
  kind: 'telegram' | 'slack' | 'discord';
  targetId: string;
  targetScope: string | null;
  targetName: string | null;
  scopeName: string | null;
}

export function connectionLabel(c: TConnectionLabelInput): string {
  switch (c.kind) {
    case 'telegram':
      return c.targetName ? `Group "${c.targetName}"` : `Group ${c.targetId}`;
    case 'slack': {
      const channel = c.targetName ? `#${c.targetName}` : `Channel ${c.targetId}`;
      const workspace = c.scopeName ?? c.targetScope;
      return workspace ? `${channel} · workspace ${workspace}` : channel;
    }
    case 'discord': {
      const channel = c.targetName ? `#${c.targetName}` : `Channel ${c.targetId}`;
      const server = c.scopeName ?? c.targetScope;
      return server ? `${channel} · server ${server}` : channel;
    }
  }
}
