// Supply chain (issue #19): `npm run release` on a clean clone of HEAD, twice (from two folders),
// gives identical tarball bytes; `rampart verify` accepts the result and refuses every tampering
// (one byte appended, a file removed or added, SHA256SUMS edited, another key); a dirty tree is
// refused; the secret scan fails on a fake secret outside the allow-list; the lockfile and
// licence checks fail on what they exist to catch. The real scripts and the real CLI, no mocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nameOfKey, productionPackages } from '../../scripts/checks/lockfile.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const TGZ = `rampart-${VERSION}.tgz`;
const SBOM = `rampart-${VERSION}.sbom.cdx.json`;

let work: string;
let cloneA: string;
let cloneB: string;
/** Released from clone A with an ephemeral key, and from clone B with a key made here. */
let outA: string;
let outB: string;
let keyB: string;
let releaseAOutput: string;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, encoding: 'utf8', env: { ...process.env, ...opts.env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

/**
 * A clean checkout of this repository's HEAD with its own node_modules: hard links to this
 * one's (no second npm ci, no copy). A symlink would not do: the bundler follows it, and the
 * source maps would then record the path to the real folder, so the build would depend on where
 * the clone is rather than on the commit.
 */
function cloneHead(dir: string): void {
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  mkdirSync(dirname(dir), { recursive: true });
  execFileSync('git', ['clone', '--quiet', '--no-checkout', '--shared', ROOT, dir]);
  execFileSync('git', ['checkout', '--quiet', '--detach', head], { cwd: dir });
  try {
    execFileSync('cp', ['-al', join(ROOT, 'node_modules'), join(dir, 'node_modules')], { stdio: 'ignore' });
  } catch {
    // Another filesystem (no hard links across it): a real copy, ~100 MB.
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
    execFileSync('cp', ['-a', join(ROOT, 'node_modules'), join(dir, 'node_modules')]);
  }
}

function release(clone: string, out: string, env: Record<string, string | undefined> = {}) {
  return run('npm', ['run', '--silent', 'release', '--', '--out', out], { cwd: clone, env: { RAMPART_SIGNING_KEY: undefined, ...env } });
}

/** The CLI of clone A: built by its release, so verify runs from what was released. */
function verify(dir: string, ...args: string[]) {
  return run(process.execPath, [join(cloneA, 'bin/rampart'), 'verify', dir, ...args]);
}

function copyRelease(from: string, name: string): string {
  const dir = join(work, name);
  cpSync(from, dir, { recursive: true });
  return dir;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'rampart-supply-'));
  // Two folders at different depths: the tarball must depend on the commit only.
  cloneA = join(work, 'a');
  cloneB = join(work, 'elsewhere/deeper/b');
  cloneHead(cloneA);
  cloneHead(cloneB);
  outA = join(work, 'out-a');
  outB = join(work, 'out-b');
  const ra = release(cloneA, outA);
  assert.equal(ra.code, 0, ra.out);
  releaseAOutput = ra.out;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(join(work, 'signing.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  keyB = join(work, 'signing.pub.pem');
  writeFileSync(keyB, publicKey.export({ type: 'spki', format: 'pem' }));
  const rb = release(cloneB, outB, { RAMPART_SIGNING_KEY: join(work, 'signing.pem') });
  assert.equal(rb.code, 0, rb.out);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('two releases of one commit, built in two different folders, give identical tarball and SBOM bytes', () => {
  const a = readFileSync(join(outA, TGZ));
  const b = readFileSync(join(outB, TGZ));
  assert.ok(a.length > 10_000, `tarball is ${a.length} bytes`);
  assert.ok(a.equals(b), 'tarballs differ');
  assert.ok(readFileSync(join(outA, SBOM)).equals(readFileSync(join(outB, SBOM))), 'SBOMs differ');
});

test('the tarball is an npm package: package/ prefix, sorted, fixed owner, normalised modes, no tests', () => {
  const listing = execFileSync('tar', ['-tzvf', join(outA, TGZ)], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const paths = listing.map((l) => l.split(/\s+/).pop()!);
  assert.ok(
    paths.every((p) => p.startsWith('package/')),
    'every entry under package/',
  );
  assert.deepEqual(paths, [...paths].sort(), 'entries sorted');
  for (const p of ['package/package.json', 'package/bin/rampart', 'package/dist/rampart.js', 'package/LICENSE']) {
    assert.ok(paths.includes(p), `${p} packed`);
  }
  assert.ok(!paths.some((p) => /^package\/(test|src|bench|\.ci)\//.test(p)), 'no tests, sources, bench or CI in the package');
  for (const line of listing) {
    assert.match(line, /^-rw(-r--r--|xr-xr-x) 0\/0 /, line);
    if (line.endsWith('package/bin/rampart')) assert.match(line, /^-rwxr-xr-x/);
  }
});

test('the SBOM is CycloneDX 1.5 with purl, version, SHA-512 and licence for every production dependency', () => {
  const sbom = JSON.parse(readFileSync(join(outA, SBOM), 'utf8'));
  assert.equal(sbom.bomFormat, 'CycloneDX');
  assert.equal(sbom.specVersion, '1.5');
  assert.match(sbom.serialNumber, /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const prod = productionPackages(lock.packages);
  const unique = new Set(prod.map(([key, p]) => `${p.name ?? nameOfKey(key)}@${p.version}`));
  assert.ok(prod.length > 10);
  assert.equal(sbom.components.length, unique.size, 'one component per production name@version');
  for (const c of sbom.components) {
    const full = c.group ? `${c.group}/${c.name}` : c.name;
    assert.equal(c.purl, `pkg:npm/${full.replace('@', '%40')}@${c.version}`);
    assert.ok(
      c.hashes.some((h: { alg: string; content: string }) => h.alg === 'SHA-512' && /^[0-9a-f]{128}$/.test(h.content)),
      `${full}: SHA-512`,
    );
    assert.ok(c.licenses?.length, `${full}: licence`);
  }
  // No dev tool in the SBOM; every direct dependency is there and hangs off the root.
  const names = new Set(sbom.components.map((c: { group?: string; name: string }) => (c.group ? `${c.group}/${c.name}` : c.name)));
  for (const dev of ['typescript', 'esbuild', 'secretlint', 'tsx']) assert.ok(!names.has(dev), `${dev} is dev-only`);
  const direct = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).dependencies);
  for (const d of direct) assert.ok(names.has(d), `${d} in the SBOM`);
  const root = sbom.dependencies.find((d: { ref: string }) => d.ref === `pkg:npm/rampart@${VERSION}`);
  assert.equal(root.dependsOn.length, direct.length);
  // The SBOM names the tarball it describes.
  const sums = readFileSync(join(outA, 'SHA256SUMS'), 'utf8');
  assert.ok(sums.includes(`${sbom.metadata.component.hashes[0].content}  ${TGZ}`));
});

test('an ephemeral-key release says loudly that it is for testing only and ships its public half', () => {
  assert.match(releaseAOutput, /EPHEMERAL key, FOR TESTING ONLY/);
  assert.deepEqual(readdirSync(outA).sort(), ['SHA256SUMS', 'SHA256SUMS.sig', SBOM, TGZ, 'release-key.ephemeral.pub.pem'].sort());
});

test('verify: an intact release passes with its key (exit 0)', () => {
  const a = verify(outA, '--key', join(outA, 'release-key.ephemeral.pub.pem'));
  assert.equal(a.code, 0, a.out);
  assert.match(a.stdout, /^rampart verify: OK: 3 artifacts/);
  const b = verify(outB, '--key', keyB);
  assert.equal(b.code, 0, b.out);
  assert.match(b.stdout, /OK: 2 artifacts \(rampart-[\d.]+\.sbom\.cdx\.json, rampart-[\d.]+\.tgz\)/);
});

test('verify: one byte appended to the tarball fails with a one-line reason', () => {
  const dir = copyRelease(outB, 'appended');
  appendFileSync(join(dir, TGZ), Buffer.from([0]));
  const r = verify(dir, '--key', keyB);
  assert.equal(r.code, 1, r.out);
  assert.match(
    r.stderr,
    new RegExp(`^rampart verify: FAILED: ${TGZ.replace(/\./g, '\\.')}: SHA-256 mismatch \\(expected [0-9a-f]{16}…, got [0-9a-f]{16}…\\)\\n$`),
  );
});

test('verify: a removed artifact, a removed signature and an extra file each fail', () => {
  const missing = copyRelease(outB, 'missing');
  unlinkSync(join(missing, SBOM));
  const m = verify(missing, '--key', keyB);
  assert.equal(m.code, 1, m.out);
  assert.equal(m.stderr, `rampart verify: FAILED: missing artifact ${SBOM} (listed in SHA256SUMS)\n`);

  const unsigned = copyRelease(outB, 'unsigned');
  unlinkSync(join(unsigned, 'SHA256SUMS.sig'));
  const u = verify(unsigned, '--key', keyB);
  assert.equal(u.code, 1, u.out);
  assert.equal(u.stderr, 'rampart verify: FAILED: missing SHA256SUMS.sig\n');

  const extra = copyRelease(outB, 'extra');
  writeFileSync(join(extra, 'install.sh'), 'echo hi\n');
  const e = verify(extra, '--key', keyB);
  assert.equal(e.code, 1, e.out);
  assert.equal(e.stderr, 'rampart verify: FAILED: unexpected file install.sh (not listed in SHA256SUMS)\n');
});

test('verify: another key or an edited SHA256SUMS fail the signature; without --key and no repository key, a usage error', () => {
  const other = verify(outB, '--key', join(outA, 'release-key.ephemeral.pub.pem'));
  assert.equal(other.code, 1, other.out);
  assert.match(other.stderr, /^rampart verify: FAILED: bad signature: SHA256SUMS\.sig does not match SHA256SUMS under key [0-9a-f]{16} .*\n$/);

  // The repository ships no release key until the maintainers commit theirs (its private half
  // must never have lived on a build machine): without --key, verify says so and refuses.
  const noKey = verify(outA);
  assert.equal(noKey.code, 2, noKey.out);
  assert.match(noKey.stderr, /^rampart verify: this build ships no release key \(release-key\.pub\.pem\): pass --key/);

  // Re-hashing a tampered tarball into SHA256SUMS does not help: the signature covers the list.
  const rehashed = copyRelease(outB, 'rehashed');
  appendFileSync(join(rehashed, TGZ), 'x');
  const sha = execFileSync('sha256sum', [TGZ], { cwd: rehashed, encoding: 'utf8' }).split(' ')[0];
  const sums = readFileSync(join(rehashed, 'SHA256SUMS'), 'utf8').replace(/^[0-9a-f]{64}(?= {2}rampart-[\d.]+\.tgz$)/m, sha);
  writeFileSync(join(rehashed, 'SHA256SUMS'), sums);
  const r = verify(rehashed, '--key', keyB);
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, /bad signature/);

  const notEd = join(work, 'rsa.pub.pem');
  writeFileSync(notEd, generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
  const rsa = verify(outB, '--key', notEd);
  assert.equal(rsa.code, 1, rsa.out);
  assert.match(rsa.stderr, /is a rsa key, not Ed25519\n$/);
});

test('verify: usage errors exit 2', () => {
  const r = verify(outB, '--bogus');
  assert.equal(r.code, 2, r.out);
  assert.match(r.stderr, /unknown option --bogus/);
});

test('release refuses a dirty tree and writes nothing', () => {
  writeFileSync(join(cloneA, 'stray.txt'), 'not committed\n');
  try {
    const out = join(work, 'out-dirty');
    const r = release(cloneA, out);
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /refusing to release: the git tree is not clean before the build \(1 changed or untracked file\(s\)\).*\n\s+\?\? stray\.txt/s);
    assert.throws(() => readdirSync(out), /ENOENT/);
  } finally {
    unlinkSync(join(cloneA, 'stray.txt'));
  }
});

/** A minimal tree for the checks: the given files copied from the repository, plus extra ones. */
function checkTree(name: string, copy: string[], extra: Record<string, string> = {}): string {
  const dir = join(work, name);
  for (const f of copy) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dir, f));
  }
  for (const [f, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

const check = (script: string, dir: string) => run(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/checks', script), dir], { cwd: ROOT });

test('secret scan: the allow-listed fixture passes; the same fake key anywhere else fails, masked', () => {
  const fixture = 'test/fixtures/fake-secrets/aws-credentials.txt';
  const files = ['.secretlintrc.json', '.secretlintignore', fixture];
  const clean = check('check-secrets.ts', checkTree('secrets-clean', files, { 'src/ok.ts': 'export const region = "eu-west-1";\n' }));
  assert.equal(clean.code, 0, clean.out);

  const secret = readFileSync(join(ROOT, fixture), 'utf8');
  const planted = check('check-secrets.ts', checkTree('secrets-planted', files, { 'src/config.ts': `// pasted by mistake\n${secret}` }));
  assert.equal(planted.code, 1, planted.out);
  assert.match(planted.out, /src\/config\.ts/);
  assert.match(planted.out, /AWSSecretAccessKey/);
  const value = /aws_secret_access_key = (\S+)/.exec(secret)![1];
  assert.ok(!planted.out.includes(value), 'the secret itself is masked in the report');

  const dotfile = check('check-secrets.ts', checkTree('secrets-dotfile', files, { '.ci/env': secret }));
  assert.equal(dotfile.code, 1, 'dot folders are scanned too');
});

test('lockfile check: a missing integrity, a non-sha512 hash or an http URL fails', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  assert.equal(check('check-lockfile.ts', checkTree('lock-ok', [], { 'package-lock.json': JSON.stringify(lock) })).code, 0);
  const cases: [string, (p: Record<string, unknown>) => void, RegExp][] = [
    ['no-integrity', (p) => delete p.integrity, /ajv@8\.20\.0 \(node_modules\/ajv\): no integrity hash/],
    ['sha1', (p) => (p.integrity = 'sha1-2jmQDV8ouAsXfbgQHAiVsjCvy0g='), /invalid integrity hash type/],
    ['http', (p) => (p.resolved = 'http://127.0.0.1:9/ajv/-/ajv-8.20.0.tgz'), /invalid protocol/],
  ];
  for (const [name, edit, reason] of cases) {
    const copy = structuredClone(lock);
    edit(copy.packages['node_modules/ajv']);
    const r = check('check-lockfile.ts', checkTree(`lock-${name}`, [], { 'package-lock.json': JSON.stringify(copy) }));
    assert.equal(r.code, 1, `${name}: ${r.out}`);
    assert.match(r.out, reason, name);
  }
});

test('licence check: a production dependency outside the allow-list fails; a dev-only one does not', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const ok = check('check-licences.ts', checkTree('lic-ok', [], { 'package-lock.json': JSON.stringify(lock) }));
  assert.equal(ok.code, 0, ok.out);
  const copy = structuredClone(lock);
  copy.packages['node_modules/ajv'].license = 'GPL-3.0-only';
  copy.packages['node_modules/typescript'].license = 'GPL-3.0-only'; // dev-only: not distributed
  const bad = check('check-licences.ts', checkTree('lic-gpl', [], { 'package-lock.json': JSON.stringify(copy) }));
  assert.equal(bad.code, 1, bad.out);
  assert.match(bad.out, /ajv@8\.20\.0: licence GPL-3\.0-only is not on the allow-list/);
  assert.doesNotMatch(bad.out, /typescript/);
  const or = structuredClone(lock);
  or.packages['node_modules/ajv'].license = '(GPL-3.0-only OR MIT)';
  assert.equal(check('check-licences.ts', checkTree('lic-or', [], { 'package-lock.json': JSON.stringify(or) })).code, 0, 'an OR with an allowed side passes');
});
