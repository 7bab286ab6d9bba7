/**
 * Structure of the production deployment: docker-compose.yml, Dockerfile and
 * .dockerignore. No Docker engine is needed; the files are parsed and the
 * compose file's ${VAR} interpolation is applied the way `docker compose` does.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, TASK_QUEUE_DEFAULT } from '../../runtime/config';
import { SEARCH_ATTRIBUTES, TEMPORAL_SERVER_VERSION } from '../../runtime/temporal-server';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const DOCKERFILE = path.join(ROOT, 'Dockerfile');
const DOCKERIGNORE = path.join(ROOT, '.dockerignore');

/** What an operator exports before `docker compose up`. */
const OPERATOR_ENV: Record<string, string> = {
  JWT_SECRET: 'j'.repeat(64),
  PII_KEYS: `k2026:${Buffer.alloc(32, 7).toString('base64')}`,
  PII_HASH_KEY: Buffer.alloc(32, 8).toString('base64'),
  POSTGRES_PASSWORD: 'postgres-secret',
  TEMPORAL_DB_PASSWORD: 'temporal-secret',
  APP_DB_PASSWORD: 'app-secret',
  TEMPORAL_UI_PASSWORD_HASH: '$2a$14$Zkx19XLiW6VYouLHR5NmfOFU0z2GTNmpkT/5qqR7hx4IjWJPDhjvG',
};

const ONE_SHOT_SERVICES = ['temporal-admin-tools', 'temporal-create-namespace'];
const LONG_RUNNING_SERVICES = ['postgres', 'temporal', 'temporal-ui', 'worker', 'api', 'proxy', 'backup'];
const CADDYFILE = path.join(ROOT, 'deploy', 'Caddyfile');
const BACKUP_SCRIPT = path.join(ROOT, 'deploy', 'backup.sh');

// ---------------------------------------------------------------------------
// compose file model and helpers

type Scalar = string | number | boolean | null;

interface HealthCheck {
  test?: string | string[];
  disable?: boolean;
}

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, Scalar> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target: number; published?: string | number })[];
  expose?: (string | number)[];
  volumes?: string[];
  healthcheck?: HealthCheck;
  restart?: string;
}

interface ComposeFile {
  services: Record<string, Service>;
}

/** Compose's variable substitution: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
function interpolateString(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Z_]\w*)(?:(:-|-|:\?|\?)([^}]*))?\}|\$([A-Z_]\w*)/gi,
    (match: string, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = braced ?? bare ?? '';
      const current = env[name];
      const unset = current === undefined;
      const empty = unset || current === '';
      switch (op) {
        case ':-':
          return empty ? (arg ?? '') : current;
        case '-':
          return unset ? (arg ?? '') : current;
        case ':?':
          if (empty) throw new Error(`required variable ${name} is missing a value: ${arg ?? ''}`);
          return current;
        case '?':
          if (unset) throw new Error(`required variable ${name} is missing a value: ${arg ?? ''}`);
          return current;
        default:
          return current ?? '';
      }
    },
  );
}

function interpolate(node: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolateString(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolate(item, env));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return node;
}

function rawCompose(): unknown {
  // merge: compose files may use YAML merge keys (<<: *anchor).
  return parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true });
}

function loadCompose(env: Record<string, string | undefined> = OPERATOR_ENV): ComposeFile {
  return interpolate(rawCompose(), env) as ComposeFile;
}

function service(compose: ComposeFile, name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** depends_on as { service: condition }; the short list form means service_started. */
function dependencies(svc: Service): Record<string, string> {
  const deps = svc.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([d, v]) => [d, v.condition ?? 'service_started']));
}

function environment(svc: Service): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq === -1 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function words(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(' ') : value;
}

/** Container-side port of a compose port mapping ("8080:3000", "127.0.0.1:80:3000/tcp", 3000, {target}). */
function containerPort(mapping: string | number | { target: number }): number {
  if (typeof mapping === 'number') return mapping;
  if (typeof mapping === 'object') return mapping.target;
  const last = mapping.split(':').pop() ?? '';
  return Number(last.replace(/\/(?:tcp|udp)$/, ''));
}

function buildsFromProjectDockerfile(svc: Service): boolean {
  const build = svc.build;
  if (build === undefined) return false;
  const context = typeof build === 'string' ? build : (build.context ?? '.');
  const dockerfile = typeof build === 'string' ? 'Dockerfile' : (build.dockerfile ?? 'Dockerfile');
  return path.resolve(ROOT, context) === ROOT && dockerfile === 'Dockerfile';
}

// ---------------------------------------------------------------------------
// Dockerfile helpers

interface Instruction {
  keyword: string;
  args: string;
}

function dockerfileInstructions(): Instruction[] {
  const joined = readFileSync(DOCKERFILE, 'utf8').replace(/\\\r?\n/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const sp = line.search(/\s/);
      return sp < 0 ? { keyword: line.toUpperCase(), args: '' } : { keyword: line.slice(0, sp).toUpperCase(), args: line.slice(sp + 1).trim() };
    });
}

/** A JSON-array (exec form) argument list, or the shell form as one string. */
function execForm(args: string): string[] {
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // shell form
  }
  return [args];
}

// ---------------------------------------------------------------------------

describe('docker-compose.yml: the production deployment', () => {
  it('runs Postgres, Temporal schema setup, the Temporal server, namespace setup, the Temporal UI, the worker, the API, the TLS proxy and the backup', () => {
    const compose = loadCompose();
    expect(Object.keys(compose.services).sort()).toEqual([...ONE_SHOT_SERVICES, ...LONG_RUNNING_SERVICES].sort());
    expect(service(compose, 'postgres').image).toMatch(/^postgres:16(\.|$)/);
    expect(service(compose, 'temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  it('runs Temporal from temporalio/server, not the deprecated auto-setup image, once the admin-tools one-shot has set up the schemas', () => {
    const compose = loadCompose();
    const temporal = service(compose, 'temporal');
    expect(temporal.image).toMatch(/^temporalio\/server:/);
    expect(temporal.image).not.toContain('auto-setup');
    expect(dependencies(temporal)['temporal-admin-tools']).toBe('service_completed_successfully');
  });

  it('persists Temporal in the same Postgres that the admin-tools one-shot prepared', () => {
    const compose = loadCompose();
    const env = environment(service(compose, 'temporal'));
    expect(env.DB).toBe('postgres12');
    expect(env.POSTGRES_SEEDS).toBe('postgres');
    expect(env.DB_PORT).toBe('5432');
    expect(env.POSTGRES_USER).toBeTruthy();
    expect(env.POSTGRES_PWD).toBe(OPERATOR_ENV.TEMPORAL_DB_PASSWORD);
    expect(environment(service(compose, 'temporal-admin-tools')).SQL_PASSWORD).toBe(env.POSTGRES_PWD);
    expect(words(service(compose, 'temporal-admin-tools').command)).toContain(`-u ${env.POSTGRES_USER}`);
    expect(service(compose, 'temporal').ports?.map(containerPort)).toContain(7233);
  });

  it('creates and migrates both Temporal databases with temporal-sql-tool only after Postgres is healthy', () => {
    const compose = loadCompose();
    const adminTools = service(compose, 'temporal-admin-tools');
    expect(adminTools.image).toMatch(/^temporalio\/admin-tools:/);
    expect(dependencies(adminTools).postgres).toBe('service_healthy');

    const script = words(adminTools.command);
    const schemaDirs = { temporal: 'temporal', temporal_visibility: 'visibility' };
    for (const [database, dir] of Object.entries(schemaDirs)) {
      const steps = [
        `--db ${database} create-database`,
        `--db ${database} setup-schema -v 0.0`,
        `--db ${database} update-schema -d /etc/temporal/schema/postgresql/v12/${dir}/versioned`,
      ];
      const positions = steps.map((step) => script.indexOf(step));
      expect(
        positions.every((p) => p >= 0),
        `${database}: ${steps.join(' | ')}`,
      ).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    expect(script).toContain('temporal-sql-tool --plugin postgres12 --ep postgres');
  });

  it('runs the Temporal server release `npm run cluster` runs, with admin-tools of the same release and the same dynamic config', () => {
    const compose = loadCompose();
    expect(service(compose, 'temporal').image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    for (const name of ONE_SHOT_SERVICES) expect(service(compose, name).image, name).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    const temporal = service(compose, 'temporal');
    const mount = temporal.volumes?.find((v) => v.startsWith('./deploy/temporal-dynamicconfig.yaml:'));
    expect(mount?.split(':')[1]).toBe(environment(temporal).DYNAMIC_CONFIG_FILE_PATH);
    expect(existsSync(path.join(ROOT, 'deploy', 'temporal-dynamicconfig.yaml'))).toBe(true);
  });

  it('creates every search attribute the workflows set, with its type, after the namespace', () => {
    const script = words(service(loadCompose(), 'temporal-create-namespace').command);
    const createNamespace = script.indexOf('temporal operator namespace create');
    const loop = /for attribute in ([\w ]+); do\s+temporal operator search-attribute create --namespace "\$NAMESPACE" --name "\$attribute" --type (\w+)/.exec(
      script,
    );
    expect(loop, script).not.toBeNull();
    expect(loop!.index).toBeGreaterThan(createNamespace);
    const created = Object.fromEntries(
      loop![1]!
        .trim()
        .split(/\s+/)
        .map((name) => [name, loop![2]]),
    );
    expect(created).toEqual(SEARCH_ATTRIBUTES);
  });

  it('starts the API only once a worker of the same image is healthy (the API starts approvals on a path older workers lack)', () => {
    const compose = loadCompose();
    expect(dependencies(compose.services.api!)).toMatchObject({ worker: 'service_healthy' });
    expect(compose.services.api!.build).toEqual(compose.services.worker!.build);
  });

  it('creates the Temporal namespace the app uses, once the Temporal server is healthy', () => {
    const compose = loadCompose({ ...OPERATOR_ENV, TEMPORAL_NAMESPACE: 'union-campaigns' });
    const createNamespace = service(compose, 'temporal-create-namespace');
    expect(dependencies(createNamespace).temporal).toBe('service_healthy');
    expect(words(createNamespace.command)).toContain('temporal operator namespace create');
    expect(environment(createNamespace).NAMESPACE).toBe('union-campaigns');
    expect(environment(service(compose, 'api')).TEMPORAL_NAMESPACE).toBe('union-campaigns');
    expect(environment(service(compose, 'worker')).TEMPORAL_NAMESPACE).toBe('union-campaigns');
  });

  it('builds the API and the worker from the project Dockerfile and starts them only when Postgres and Temporal are healthy', () => {
    const compose = loadCompose();
    for (const name of ['api', 'worker']) {
      const svc = service(compose, name);
      expect(buildsFromProjectDockerfile(svc), `${name} builds from ./Dockerfile`).toBe(true);
      const deps = dependencies(svc);
      expect(deps.postgres, `${name} waits for postgres`).toBe('service_healthy');
      expect(deps.temporal, `${name} waits for temporal`).toBe('service_healthy');
      expect(deps['temporal-create-namespace'], `${name} waits for its namespace`).toBe('service_completed_successfully');
    }
  });

  it('gives every long-running service a healthcheck and a restart policy, and lets one-shots exit', () => {
    const compose = loadCompose();
    const awaitedToComplete = new Set(
      Object.values(compose.services).flatMap((svc) =>
        Object.entries(dependencies(svc))
          .filter(([, condition]) => condition === 'service_completed_successfully')
          .map(([name]) => name),
      ),
    );
    expect([...awaitedToComplete].sort()).toEqual([...ONE_SHOT_SERVICES].sort());

    for (const [name, svc] of Object.entries(compose.services)) {
      if (awaitedToComplete.has(name)) {
        expect(svc.restart ?? 'no', `${name} is a one-shot`).toBe('no');
        continue;
      }
      const test = svc.healthcheck?.test;
      expect(test, `${name} has a healthcheck`).toBeDefined();
      expect(svc.healthcheck?.disable ?? false, `${name} healthcheck enabled`).toBe(false);
      expect(Array.isArray(test) ? test[0] : test, `${name} healthcheck is not NONE`).not.toBe('NONE');
      expect(['always', 'unless-stopped'], `${name} restarts`).toContain(svc.restart);
    }
  });

  it('checks Postgres with pg_isready and the API on /readyz with node (the slim image has no curl)', () => {
    const compose = loadCompose();
    expect(words(service(compose, 'postgres').healthcheck?.test)).toContain('pg_isready');
    const apiCheck = words(service(compose, 'api').healthcheck?.test);
    expect(apiCheck).toMatch(/\bnode\b/);
    expect(apiCheck).toContain('/readyz');
    expect(apiCheck).not.toMatch(/\b(curl|wget)\b/);
  });

  it('gives the API and the worker only environment variables that runtime/config.ts defines', () => {
    const compose = loadCompose();
    for (const name of ['api', 'worker']) {
      const names = Object.keys(environment(service(compose, name)));
      expect(names.length, `${name} has an environment`).toBeGreaterThan(0);
      const unknown = names.filter((n) => !CONFIG_VARIABLES.includes(n));
      expect(unknown, `${name} variables unknown to runtime/config.ts`).toEqual([]);
    }
  });

  it('points the API and the worker at the Temporal service and at the task queue the code defaults to, in production mode', () => {
    const compose = loadCompose();
    for (const name of ['api', 'worker']) {
      const env = environment(service(compose, name));
      expect(env.NODE_ENV).toBe('production');
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.TASK_QUEUE).toBe(TASK_QUEUE_DEFAULT);
      expect(env.JWT_SECRET).toBe(OPERATOR_ENV.JWT_SECRET);
    }
  });

  it("gives the app its own database on the postgres service, apart from Temporal's databases", () => {
    const compose = loadCompose();
    const urls = ['api', 'worker'].map((name) => environment(service(compose, name)).DATABASE_URL ?? '');
    expect(urls[0]).toBe(urls[1]);
    const url = new URL(urls[0] ?? '');
    expect(url.protocol).toMatch(/^postgres(ql)?:$/);
    expect(url.hostname).toBe('postgres');
    const database = url.pathname.replace(/^\//, '');
    expect(database).not.toBe('');
    expect(['temporal', 'temporal_visibility', 'postgres']).not.toContain(database);
    expect(url.username).not.toBe(environment(service(compose, 'temporal')).POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(OPERATOR_ENV.APP_DB_PASSWORD);
  });

  it('refuses to start without PII_KEYS, which encrypt ID and phone numbers at rest, or without PII_HASH_KEY', () => {
    const { PII_KEYS: _omitted, ...withoutKeys } = OPERATOR_ENV;
    expect(() => loadCompose(withoutKeys)).toThrow(/PII_KEYS/);
    const { PII_HASH_KEY: _omittedHash, ...withoutHashKey } = OPERATOR_ENV;
    expect(() => loadCompose(withoutHashKey)).toThrow(/PII_HASH_KEY/);
    // An upgrade from one PII_KEY passes it on as the ring's legacy key; without one it is empty (unset for the config).
    expect(environment(service(loadCompose({ ...OPERATOR_ENV, PII_KEY: 'old' }), 'api')).PII_KEY).toBe('old');
    expect(environment(service(loadCompose(), 'worker')).PII_KEY).toBe('');
  });

  it('refuses to start without a JWT_SECRET instead of falling back to a default', () => {
    const { JWT_SECRET: _omitted, ...withoutSecret } = OPERATOR_ENV;
    expect(() => loadCompose(withoutSecret)).toThrow(/JWT_SECRET/);
    expect(() => loadCompose({ ...OPERATOR_ENV, JWT_SECRET: '' })).toThrow(/JWT_SECRET/);
  });

  it('publishes only the proxy (80, 443, 8443): the API and the Temporal UI are reachable on the compose network alone', () => {
    const compose = loadCompose();
    const published = Object.entries(compose.services)
      .filter(([, svc]) => (svc.ports ?? []).some((p) => typeof p !== 'string' || !p.startsWith('127.0.0.1:')))
      .map(([name]) => name);
    expect(published).toEqual(['proxy']);
    expect((service(compose, 'proxy').ports ?? []).map(containerPort).sort()).toEqual([443, 80, 8443].sort());
    expect(service(compose, 'api').ports).toBeUndefined();
    expect(service(compose, 'temporal-ui').ports).toBeUndefined();
    const api = environment(service(compose, 'api'));
    expect(api.HOST).toBe('0.0.0.0');
    expect(service(compose, 'api').expose?.map(String)).toEqual([api.PORT]);
  });

  it('starts the worker with runtime/worker-main.ts and the API with api/main.ts', () => {
    const compose = loadCompose();
    expect(words(service(compose, 'worker').command)).toMatch(/\btsx runtime\/worker-main\.ts$/);
    const apiCommand = service(compose, 'api').command;
    if (apiCommand !== undefined) expect(words(apiCommand)).toContain('api/main.ts');
  });

  it('pins every image to an explicit version', () => {
    const compose = loadCompose();
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.image === undefined) continue;
      const tag = /:([^/:]+)$/.exec(svc.image)?.[1];
      expect(tag, `${name} image ${svc.image} has a tag`).toBeDefined();
      expect(tag, `${name} image is not :latest`).not.toBe('latest');
    }
  });
});

describe('Dockerfile: the image the worker and the API run from', () => {
  it('exists next to docker-compose.yml', () => {
    expect(existsSync(DOCKERFILE)).toBe(true);
  });

  it('builds in stages from node:20-bookworm-slim with npm ci', () => {
    const instructions = dockerfileInstructions();
    const args = new Map(
      instructions
        .filter((i) => i.keyword === 'ARG' && i.args.includes('='))
        .map((i) => {
          const [name = '', value = ''] = i.args.split('=', 2);
          return [name.trim(), value.trim()];
        }),
    );
    const bases = instructions
      .filter((i) => i.keyword === 'FROM')
      .map((i) => (i.args.split(/\s+/)[0] ?? '').replace(/^\$\{?([A-Z_]\w*)\}?$/i, (_m, v: string) => args.get(v) ?? v));
    expect(bases.length).toBeGreaterThan(1);
    expect(bases[0]).toBe('node:20-bookworm-slim');
    expect(bases.at(-1)).toBe('node:20-bookworm-slim');
    expect(instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
  });

  it('builds the web app (a missing build:web fails the build instead of shipping an image without it)', () => {
    const runs = dockerfileInstructions()
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    expect(runs.some((r) => /npm run build:web(?! --if-present)/.test(r))).toBe(true);
  });

  it('runs as a non-root user', () => {
    const users = dockerfileInstructions().filter((i) => i.keyword === 'USER');
    const user = users.at(-1)?.args.split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
  });

  it('starts the API by default: its CMD runs api/main.ts with tsx', () => {
    const cmd = dockerfileInstructions()
      .filter((i) => i.keyword === 'CMD')
      .at(-1);
    expect(cmd).toBeDefined();
    const argv = execForm(cmd?.args ?? '');
    expect(argv.join(' ')).toMatch(/\btsx api\/main\.ts$/);
  });
});

describe('.dockerignore: the build context', () => {
  it('leaves out dependencies, local state, tools, VCS data, secrets and test output', () => {
    const entries = readFileSync(DOCKERIGNORE, 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const ignored = (name: string) => entries.some((e) => e === name || e === `**/${name}` || e === `${name}/`);
    for (const name of ['node_modules', 'data', 'tools', '.git', 'test-output', '.env']) {
      expect(ignored(name), `${name} is ignored`).toBe(true);
    }
  });
});

describe('the TLS proxy (Caddy) in front of the API and the Temporal UI', () => {
  /** The Caddyfile with {$VAR:default} placeholders filled from the proxy's environment, as Caddy does. */
  function caddyfile(env: Record<string, string>): string {
    return readFileSync(CADDYFILE, 'utf8').replace(/\{\$(\w+)(?::([^}]*))?\}/g, (_m, name: string, def?: string) => env[name] ?? def ?? '');
  }
  /** The site blocks: address → body (top-level braces only). */
  function sites(text: string): Map<string, string> {
    const out = new Map<string, string>();
    const lines = text.split('\n');
    let depth = 0;
    let current: { address: string; body: string[] } | undefined;
    for (const line of lines) {
      const hash = line.indexOf('#');
      const t = (hash < 0 ? line : line.slice(0, hash)).trim();
      if (depth === 0 && t.endsWith('{') && t !== '{' && !t.startsWith('(')) current = { address: t.slice(0, -1).trim(), body: [] };
      else if (current) current.body.push(t);
      depth += (t.match(/\{/g) ?? []).length - (t.match(/\}/g) ?? []).length;
      if (depth === 0 && current) {
        out.set(current.address, current.body.join('\n'));
        current = undefined;
      }
    }
    return out;
  }

  it('runs the official Caddy image, pinned, with the project Caddyfile, its certificate folder and a persistent data volume', () => {
    const proxy = service(loadCompose(), 'proxy');
    expect(proxy.image).toMatch(/^caddy:2\.\d+\.\d+$/);
    expect(proxy.volumes).toContain('./deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(proxy.volumes).toContain('./deploy/certs:/certs:ro');
    expect(proxy.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
    expect(dependencies(proxy).api).toBe('service_healthy');
  });

  it('serves the API over TLS with HSTS, from the internal CA by default or the mounted certificate', () => {
    const compose = loadCompose();
    const env = environment(service(compose, 'proxy'));
    const site = sites(caddyfile(env)).get('localhost');
    expect(site).toBeDefined();
    expect(site).toMatch(/^tls internal$/m);
    expect(site).toContain(`reverse_proxy api:${environment(service(compose, 'api')).PORT}`);
    const text = caddyfile(env);
    expect(text).toMatch(/Strict-Transport-Security "max-age=\d{8,}; includeSubDomains"/);

    const own = environment(
      service(loadCompose({ ...OPERATOR_ENV, TLS_CERTS: '/certs/fullchain.pem /certs/privkey.pem', PUBLIC_HOST: 'union.example.org' }), 'proxy'),
    );
    const ownSite = sites(caddyfile(own)).get('union.example.org');
    expect(ownSite).toMatch(/^tls \/certs\/fullchain\.pem \/certs\/privkey\.pem$/m);
  });

  it('puts the Temporal UI behind TLS and a password, and refuses to start without the password hash', () => {
    const env = environment(service(loadCompose(), 'proxy'));
    const ui = sites(caddyfile(env)).get('localhost:8443');
    expect(ui).toBeDefined();
    expect(ui).toMatch(/^tls internal$/m);
    expect(ui).toContain(`operator ${OPERATOR_ENV.TEMPORAL_UI_PASSWORD_HASH}`);
    expect(ui).toMatch(/basic_auth/);
    expect(ui).toContain('reverse_proxy temporal-ui:8080');
    const { TEMPORAL_UI_PASSWORD_HASH: _omitted, ...withoutHash } = OPERATOR_ENV;
    expect(() => loadCompose(withoutHash)).toThrow(/TEMPORAL_UI_PASSWORD_HASH/);
  });
});

describe('the nightly backup of the app database', () => {
  it('dumps the database the API uses, as its role, with the Postgres major version of the server', () => {
    const compose = loadCompose();
    const backup = service(compose, 'backup');
    const env = environment(backup);
    const app = new URL(environment(service(compose, 'api')).DATABASE_URL ?? '');
    expect(env.PGHOST).toBe(app.hostname);
    expect(env.PGUSER).toBe(app.username);
    expect(env.PGPASSWORD).toBe(OPERATOR_ENV.APP_DB_PASSWORD);
    expect(env.PGDATABASE).toBe(app.pathname.slice(1));
    expect(backup.image).toBe(service(compose, 'postgres').image);
    expect(dependencies(backup).postgres).toBe('service_healthy');
  });

  it('runs deploy/backup.sh every night, keeps the 14 newest dumps, in a folder outside the containers', () => {
    const compose = loadCompose({ ...OPERATOR_ENV, BACKUP_DIR: '/srv/union-backups' });
    const backup = service(compose, 'backup');
    expect(backup.volumes).toContain('./deploy/backup.sh:/usr/local/bin/union-drive-backup:ro');
    expect(backup.volumes).toContain('/srv/union-backups:/backups');
    expect(words(backup.entrypoint)).toContain('/usr/local/bin/union-drive-backup');
    expect(environment(backup).BACKUP_KEEP).toBe('14');
    const script = readFileSync(BACKUP_SCRIPT, 'utf8');
    expect(script).toMatch(/pg_dump --format=custom/);
    expect(script).toMatch(/tail -n \+"\$\(\(keep \+ 1\)\)"/);
    expect(words(backup.healthcheck?.test)).toContain('.last-ok');
  });
});
