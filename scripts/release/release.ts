// `npm run release -- --out DIR`: the release artifacts of the current commit, built from a clean
// tree only (what is released is exactly what was committed, and so reviewed):
//
//   rampart-VERSION.tgz             the npm package, byte-for-byte reproducible (tar.ts)
//   rampart-VERSION.sbom.cdx.json   CycloneDX 1.5 SBOM of the production dependencies (sbom.ts)
//   SHA256SUMS                      sha256sum-format digests of the artifacts
//   SHA256SUMS.sig                  raw 64-byte Ed25519 signature over SHA256SUMS
//
// The signing key is the PEM (PKCS#8) private key file named by RAMPART_SIGNING_KEY. Without it
// an ephemeral key signs, its public half is written beside the artifacts (and listed in
// SHA256SUMS), and the command says loudly that the result is for testing only.
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSums, sha256Hex, SIGNATURE_FILE, SUMS_FILE, type SumEntry } from '../../src/release/sha256sums.js';
import { keyFingerprint } from '../../src/release/verify.js';
import { buildSbom } from './sbom.js';
import { tarGz, type TarEntry } from './tar.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const EPHEMERAL_KEY_FILE = 'release-key.ephemeral.pub.pem';

class ReleaseError extends Error {}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

function parseOut(argv: string[]): string {
  const i = argv.indexOf('--out');
  const dir = i === -1 ? undefined : argv[i + 1];
  if (!dir || argv.length !== 2) throw new ReleaseError('usage: npm run release -- --out DIR');
  return resolve(dir);
}

/** Untracked files count as dirty too: they could be packed, or change the build. */
function requireCleanTree(when: string): void {
  const status = git('status', '--porcelain=v1', '--untracked-files=all');
  if (status) {
    const lines = status.split('\n');
    const shown = lines
      .slice(0, 5)
      .map((l) => `  ${l}`)
      .join('\n');
    throw new ReleaseError(
      `refusing to release: the git tree is not clean ${when} (${lines.length} changed or untracked file(s)); a release is built only from committed code. Commit or stash first:\n${shown}${lines.length > 5 ? '\n  …' : ''}`,
    );
  }
}

function build(): void {
  // From nothing: a stale file in dist/ from an earlier build must not reach the package.
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new ReleaseError(`the build failed (npm run build exited ${r.status})`);
}

/** What npm would pack (package.json "files", npm's always-included files), without running scripts. */
function packList(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  const files = pack.files.map((f) => f.path);
  // Outside dist/ (the build's output), every packed file must be one git tracks: an ignored
  // stray file in bin/ or examples/ would otherwise ship without having been committed.
  const tracked = new Set(git('ls-files', '-z').split('\0'));
  const untracked = files.filter((f) => !f.startsWith('dist/') && !tracked.has(f));
  if (untracked.length) throw new ReleaseError(`refusing to release: npm would pack files git does not track: ${untracked.join(', ')}`);
  if (!files.some((f) => f.startsWith('dist/'))) throw new ReleaseError('refusing to release: the package would contain no dist/ (build output)');
  return files;
}

function signingKey(out: string): { key: KeyObject; ephemeralPublicFile?: string } {
  const file = process.env.RAMPART_SIGNING_KEY;
  if (file) {
    let key: KeyObject;
    try {
      key = createPrivateKey(readFileSync(file));
    } catch (err) {
      throw new ReleaseError(`RAMPART_SIGNING_KEY=${file}: not a readable PEM private key (${(err as NodeJS.ErrnoException).code ?? 'unparsable'})`);
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new ReleaseError(`RAMPART_SIGNING_KEY=${file}: a ${key.asymmetricKeyType} key, not Ed25519`);
    const repoFile = join(ROOT, 'release-key.pub.pem');
    if (!existsSync(repoFile)) {
      process.stderr.write(
        `WARNING: the repository has no release-key.pub.pem: commit the public half of RAMPART_SIGNING_KEY (and publish its fingerprint) so that \`rampart verify\` works without --key\n`,
      );
      return { key };
    }
    const repoKey = createPublicKey(readFileSync(repoFile));
    if (keyFingerprint(createPublicKey(key)) !== keyFingerprint(repoKey)) {
      process.stderr.write(`WARNING: RAMPART_SIGNING_KEY is not the private half of release-key.pub.pem: \`rampart verify\` needs --key with its public key\n`);
    }
    return { key };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const ephemeralPublicFile = join(out, EPHEMERAL_KEY_FILE);
  writeFileSync(ephemeralPublicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const bar = '!'.repeat(78);
  process.stderr.write(
    `${bar}\n!! RAMPART_SIGNING_KEY is not set: signed with an EPHEMERAL key, FOR TESTING ONLY.\n` +
      `!! Nobody can trust this signature; \`rampart verify\` with the repository key fails.\n` +
      `!! Its public half: ${ephemeralPublicFile}\n!! (check with: rampart verify ${out} --key ${ephemeralPublicFile})\n${bar}\n`,
  );
  return { key: privateKey, ephemeralPublicFile };
}

export function release(argv: string[]): void {
  const out = parseOut(argv);
  requireCleanTree('before the build');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const commit = git('rev-parse', 'HEAD');
  const commitTime = Number(git('show', '-s', '--format=%ct', 'HEAD'));
  if (existsSync(out) && readdirSync(out).length > 0)
    throw new ReleaseError(`refusing to release: ${out} is not empty (a release folder holds exactly its artifacts)`);

  build();
  requireCleanTree('after the build (the build changed tracked files)');

  const entries: TarEntry[] = packList().map((path) => {
    const abs = join(ROOT, path);
    return { path, data: readFileSync(abs), executable: (statSync(abs).mode & 0o111) !== 0 };
  });
  // The commit's time as every file's mtime: one commit, one tarball (SOURCE_DATE_EPOCH's idea).
  const tgz = tarGz(entries, commitTime);
  const tgzName = `${pkg.name}-${pkg.version}.tgz`;
  const sbomName = `${pkg.name}-${pkg.version}.sbom.cdx.json`;
  const sbom = Buffer.from(
    JSON.stringify(buildSbom({ root: ROOT, commit, commitTimeSeconds: commitTime, tarball: { name: tgzName, sha256: sha256Hex(tgz) } }), null, 2) + '\n',
  );

  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, tgzName), tgz);
  writeFileSync(join(out, sbomName), sbom);
  const { key, ephemeralPublicFile } = signingKey(out);

  const artifacts: SumEntry[] = [
    { name: tgzName, sha256: sha256Hex(tgz) },
    { name: sbomName, sha256: sha256Hex(sbom) },
  ];
  if (ephemeralPublicFile) artifacts.push({ name: EPHEMERAL_KEY_FILE, sha256: sha256Hex(readFileSync(ephemeralPublicFile)) });
  const sums = Buffer.from(formatSums(artifacts));
  writeFileSync(join(out, SUMS_FILE), sums);
  writeFileSync(join(out, SIGNATURE_FILE), sign(null, sums, key));

  const pub = keyFingerprint(createPublicKey(key));
  process.stdout.write(
    `release ${pkg.name} ${pkg.version} of ${commit.slice(0, 12)} in ${out}:\n` +
      artifacts.map((a) => `  ${a.sha256}  ${a.name} (${statSync(join(out, a.name)).size} bytes)\n`).join('') +
      `  ${SUMS_FILE}, ${SIGNATURE_FILE} (Ed25519, key ${pub.slice(0, 16)}${ephemeralPublicFile ? ', EPHEMERAL: testing only' : ''})\n` +
      `  ${entries.length} files in the tarball\n`,
  );
}

try {
  release(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof ReleaseError)) throw err;
  process.stderr.write(`release: ${err.message}\n`);
  process.exit(1);
}
