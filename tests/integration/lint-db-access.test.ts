// The rule "apps reach the database only through repositories" is enforced by lint, not memory: this proves the
// ESLint configuration refuses each way of calling Prisma from an app (and leaves tests and packages alone).
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

const PROBE = `
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function probe(db: any, app: any, tx: any, deps: any, ctx: any, getContext: () => any) {
  await db.user.findUnique({});
  await app.db.membership.findMany({});
  await tx.invitation.updateMany({});
  await deps.db.project.count({});
  await ctx.db.apiKey.groupBy({});
  await getContext().db.project.findFirst({});
  await db.$transaction(async () => 1);
  await db.$queryRaw\`SELECT 1\`;
  await app.db.$executeRawUnsafe('SET x');
}
`;

async function dbViolations(filePath: string): Promise<number> {
  const [result] = await eslint.lintText(PROBE, { filePath: `${root}/${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').length;
}

describe('lint: no Prisma call in the apps', () => {
  it('refuses every model call, raw query and transaction in any app, pages included', async () => {
    for (const file of [
      'apps/web/src/server/probe.ts',
      'apps/web/src/app/probe/page.tsx',
      'apps/realtime/src/probe.ts',
      'apps/worker/src/probe.ts',
      'apps/cli/src/probe.ts',
    ]) {
      expect(await dbViolations(file), file).toBe(9);
    }
  });

  it('keeps the request-body rule where both apply (one rule, two lists of selectors)', async () => {
    const [result] = await eslint.lintText('export function f(req: Request) { return req.text(); }\n', {
      filePath: `${root}/apps/web/src/server/probe.ts`,
    });
    expect(result?.messages.map((m) => m.message)).toEqual([expect.stringContaining('readBodyWithLimit')]);
  });

  it('leaves tests, test helpers and the repositories themselves alone', async () => {
    for (const file of [
      'apps/web/src/server/probe.test.ts',
      'apps/web/src/server/testing/probe.ts',
      'packages/db/src/repositories/probe.ts',
    ]) {
      expect(await dbViolations(file), file).toBe(0);
    }
  });
});
