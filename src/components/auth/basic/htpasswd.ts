// htpasswd files (Apache format, "user:hash" per line) restricted to bcrypt hashes ($2a$, $2b$,
// $2y$): the MD5 (apr1), SHA-1, crypt and plain-text variants are refused at startup.
import { readFileSync } from '../../../core/config-files.js';

const BCRYPT = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

/** Node's bcryptjs knows $2a$/$2b$; $2y$ (PHP, htpasswd -B) is the same algorithm. */
export function normalizeBcrypt(hash: string, where: string): string {
  if (!BCRYPT.test(hash)) throw new Error(`${where}: not a bcrypt hash (only bcrypt is accepted; create one with "htpasswd -B")`);
  return hash.startsWith('$2y$') ? '$2b$' + hash.slice(4) : hash;
}

export function readHtpasswd(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`htpasswd_path: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#')) return;
    const colon = l.indexOf(':');
    if (colon <= 0) throw new Error(`htpasswd_path: line ${i + 1} is not "user:hash"`);
    users.set(l.slice(0, colon), normalizeBcrypt(l.slice(colon + 1), `htpasswd_path line ${i + 1}`));
  });
  return users;
}
