// CycloneDX 1.5 SBOM (JSON) of the production dependencies, read from package-lock.json: what
// `npm ci --omit=dev` installs. Each component has its purl, version, the lockfile's integrity
// hash (the hash npm checks the downloaded tarball against) and licence; the dependency graph is
// resolved the way Node resolves packages (nearest node_modules up the tree). Deterministic: the
// timestamp is the commit's and the serial number is derived from the content, so one commit
// gives one SBOM.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { productionPackages, type LockPackage } from '../checks/lockfile.js';

const HASH_ALGS: Record<string, string> = { sha512: 'SHA-512', sha384: 'SHA-384', sha256: 'SHA-256', sha1: 'SHA-1' };

export function npmPurl(name: string, version: string): string {
  const [scope, bare] = name.startsWith('@') ? name.split('/') : [undefined, name];
  const path = scope ? `${encodeURIComponent(scope)}/${encodeURIComponent(bare)}` : encodeURIComponent(bare);
  return `pkg:npm/${path}@${encodeURIComponent(version)}`;
}

function hashes(integrity: string | undefined): { alg: string; content: string }[] {
  const out: { alg: string; content: string }[] = [];
  for (const part of (integrity ?? '').split(/\s+/).filter(Boolean)) {
    const dash = part.indexOf('-');
    const alg = HASH_ALGS[part.slice(0, dash)];
    if (alg) out.push({ alg, content: Buffer.from(part.slice(dash + 1), 'base64').toString('hex') });
  }
  return out;
}

/** A single SPDX id becomes `license.id`; anything else (an expression) stays an expression. */
function licenses(license: string | undefined): object[] | undefined {
  if (!license) return undefined;
  if (/^[A-Za-z0-9.+-]+$/.test(license)) return [{ license: { id: license } }];
  return [{ expression: license }];
}

/** The lockfile key a dependency `dep` of the package at `from` resolves to, if it is installed. */
function resolve(packages: Record<string, LockPackage>, from: string, dep: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${dep}` : `node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

export interface SbomInput {
  root: string;
  commit: string;
  commitTimeSeconds: number;
  tarball?: { name: string; sha256: string };
}

export function buildSbom(input: SbomInput): object {
  const pkg = JSON.parse(readFileSync(join(input.root, 'package.json'), 'utf8')) as { name: string; version: string; license?: string; description?: string };
  const lock = JSON.parse(readFileSync(join(input.root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
  const prod = productionPackages(lock.packages);
  const rootRef = npmPurl(pkg.name, pkg.version);

  const components = new Map<string, object>();
  const refOf = new Map<string, string>();
  for (const [key, p] of prod) {
    const name = p.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const purl = npmPurl(name, p.version ?? '0.0.0');
    refOf.set(key, purl);
    if (components.has(purl)) continue; // the same name@version installed at two places
    const scoped = name.startsWith('@');
    components.set(purl, {
      type: 'library',
      'bom-ref': purl,
      ...(scoped ? { group: name.split('/')[0], name: name.split('/')[1] } : { name }),
      version: p.version,
      purl,
      hashes: hashes(p.integrity),
      licenses: licenses(p.license),
      ...(p.optional ? { scope: 'optional' } : { scope: 'required' }),
    });
  }

  const deps = new Map<string, Set<string>>();
  const edge = (from: string, to: string) => (deps.get(from) ?? deps.set(from, new Set()).get(from)!).add(to);
  deps.set(rootRef, new Set());
  for (const name of Object.keys((lock.packages[''] as { dependencies?: Record<string, string> }).dependencies ?? {})) {
    const target = resolve(lock.packages, '', name);
    if (target && refOf.has(target)) edge(rootRef, refOf.get(target)!);
  }
  for (const [key, p] of prod) {
    const from = refOf.get(key)!;
    if (!deps.has(from)) deps.set(from, new Set());
    for (const name of Object.keys({ ...p.dependencies, ...p.optionalDependencies, ...p.peerDependencies })) {
      const target = resolve(lock.packages, key, name);
      if (target && refOf.has(target)) edge(from, refOf.get(target)!);
    }
  }

  const sortedComponents = [...components.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c);
  const dependencies = [...deps.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([ref, on]) => ({ ref, dependsOn: [...on].sort() }));

  const body = { components: sortedComponents, dependencies };
  const digest = createHash('sha256').update(input.commit).update(JSON.stringify(body)).digest();
  digest[6] = (digest[6] & 0x0f) | 0x50; // RFC 4122 version 5 layout (name-based, SHA)
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.5.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${uuid}`,
    version: 1,
    metadata: {
      timestamp: new Date(input.commitTimeSeconds * 1000).toISOString().replace('.000Z', 'Z'),
      lifecycles: [{ phase: 'build' }],
      tools: { components: [{ type: 'application', name: 'rampart-release', version: pkg.version }] },
      component: {
        type: 'application',
        'bom-ref': rootRef,
        name: pkg.name,
        version: pkg.version,
        description: pkg.description,
        purl: rootRef,
        licenses: licenses(pkg.license),
        ...(input.tarball ? { hashes: [{ alg: 'SHA-256', content: input.tarball.sha256 }] } : {}),
        properties: [{ name: 'rampart:git-commit', value: input.commit }, ...(input.tarball ? [{ name: 'rampart:artifact', value: input.tarball.name }] : [])],
      },
    },
    ...body,
  };
}
