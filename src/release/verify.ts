// Checks a release folder (what `npm run release` writes): the Ed25519 signature over SHA256SUMS
// with a trusted public key, then that the folder holds exactly the listed artifacts with exactly
// the listed digests. The signature is checked first: until it holds, the list itself is untrusted.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSums, sha256Hex, SIGNATURE_FILE, SUMS_FILE } from './sha256sums.js';

export type VerifyResult = { ok: true; artifacts: string[]; keyFingerprint: string } | { ok: false; reason: string };

/** SHA-256 of the key's SubjectPublicKeyInfo (DER), hex: what the README prints for the release key. */
export function keyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function loadPublicKey(file: string): KeyObject | string {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    return `cannot read the public key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return `${file} is not a PEM public key`;
  }
  if (key.asymmetricKeyType !== 'ed25519') return `${file} is a ${key.asymmetricKeyType} key, not Ed25519`;
  return key;
}

function readIn(dir: string, name: string): Buffer | undefined {
  try {
    return readFileSync(join(dir, name));
  } catch {
    return undefined;
  }
}

export function verifyRelease(dir: string, keyFile: string): VerifyResult {
  const fail = (reason: string): VerifyResult => ({ ok: false, reason });
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) return fail(`${dir} is not a folder`);
    names = readdirSync(dir);
  } catch (err) {
    return fail(`cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const key = loadPublicKey(keyFile);
  if (typeof key === 'string') return fail(key);

  const sums = readIn(dir, SUMS_FILE);
  if (!sums) return fail(`missing ${SUMS_FILE}`);
  const sig = readIn(dir, SIGNATURE_FILE);
  if (!sig) return fail(`missing ${SIGNATURE_FILE}`);
  // Ed25519 signatures are exactly 64 bytes; the file is the raw signature (openssl can check it too).
  if (sig.length !== 64) return fail(`${SIGNATURE_FILE} is ${sig.length} bytes, not a 64-byte Ed25519 signature`);
  if (!verify(null, sums, key, sig)) {
    return fail(
      `bad signature: ${SIGNATURE_FILE} does not match ${SUMS_FILE} under key ${keyFingerprint(key).slice(0, 16)} (${keyFile}): wrong key or altered file`,
    );
  }

  const parsed = parseSums(sums.toString('utf8'));
  if ('error' in parsed) return fail(parsed.error);
  const listed = new Set(parsed.entries.map((e) => e.name));
  for (const e of parsed.entries) {
    if (!names.includes(e.name)) return fail(`missing artifact ${e.name} (listed in ${SUMS_FILE})`);
  }
  for (const name of names.sort()) {
    if (name === SUMS_FILE || name === SIGNATURE_FILE) continue;
    if (!listed.has(name)) return fail(`unexpected file ${name} (not listed in ${SUMS_FILE})`);
  }
  for (const e of parsed.entries) {
    const path = join(dir, e.name);
    if (!statSync(path).isFile()) return fail(`${e.name} is not a regular file`);
    const actual = sha256Hex(readFileSync(path));
    if (actual !== e.sha256) return fail(`${e.name}: SHA-256 mismatch (expected ${e.sha256.slice(0, 16)}…, got ${actual.slice(0, 16)}…)`);
  }
  return { ok: true, artifacts: parsed.entries.map((e) => e.name), keyFingerprint: keyFingerprint(key) };
}
