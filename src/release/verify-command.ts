// `rampart verify DIR [--key PUB.pem]`: exit 0 when the release in DIR is intact and signed by
// the key (default: the repository's release-key.pub.pem shipped in the package, once the
// maintainers have committed one), 1 with a one-line reason when not, 2 on a usage error.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/package-root.js';
import { verifyRelease } from './verify.js';

export const VERIFY_USAGE = 'usage: rampart verify DIR [--key PUB.pem]\n';

export function verifyCommand(argv: string[]): number {
  let dir: string | undefined;
  let key: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--key' || arg === '-k') {
      key = argv[++i];
      if (key === undefined) return usage('--key needs a file');
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write(VERIFY_USAGE);
      return 0;
    } else if (arg.startsWith('-')) return usage(`unknown option ${arg}`);
    else if (dir !== undefined) return usage(`unexpected argument ${arg}`);
    else dir = arg;
  }
  if (dir === undefined) return usage('no release folder given');
  const keyFile = key ?? join(PACKAGE_ROOT, 'release-key.pub.pem');
  if (key === undefined && !existsSync(keyFile)) {
    return usage("this build ships no release key (release-key.pub.pem): pass --key with the maintainers' published public key");
  }
  const result = verifyRelease(dir, keyFile);
  if (!result.ok) {
    process.stderr.write(`rampart verify: FAILED: ${result.reason}\n`);
    return 1;
  }
  process.stdout.write(
    `rampart verify: OK: ${result.artifacts.length} artifacts (${result.artifacts.join(', ')}) match SHA256SUMS, signed by key ${result.keyFingerprint.slice(0, 16)}\n`,
  );
  return 0;
}

function usage(message: string): number {
  process.stderr.write(`rampart verify: ${message}\n${VERIFY_USAGE}`);
  return 2;
}
