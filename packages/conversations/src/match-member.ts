/** A member as the assignment commands see them. */
export interface TAssignableMember {
  userId: string;
  name: string | null;
  email: string;
}

export type TMemberMatch =
  | { kind: 'one'; member: TAssignableMember }
  | { kind: 'none' }
  | { kind: 'ambiguous'; candidates: TAssignableMember[] };

/**
 * `/assign <who>`: the member whose name or email is `who` exactly (any case), else the one member whose name, a word
 * of it, or email starts with it. Two or more candidates is ambiguous: nobody is guessed.
 */
export function matchMember(members: readonly TAssignableMember[], who: string): TMemberMatch {
  const q = who.trim().replace(/^@/, '').toLowerCase();
  if (!q) return { kind: 'none' };
  const exact = members.filter((m) => m.email.toLowerCase() === q || (m.name ?? '').trim().toLowerCase() === q);
  if (exact.length === 1 && exact[0]) return { kind: 'one', member: exact[0] };
  const prefix = members.filter((m) => {
    const name = (m.name ?? '').trim().toLowerCase();
    return (
      m.email.toLowerCase().startsWith(q) ||
      (name !== '' && (name.startsWith(q) || name.split(/\s+/).some((w) => w.startsWith(q))))
    );
  });
  if (prefix.length === 1 && prefix[0]) return { kind: 'one', member: prefix[0] };
  if (prefix.length === 0 && exact.length === 0) return { kind: 'none' };
  return { kind: 'ambiguous', candidates: prefix.length > 0 ? prefix : exact };
}
