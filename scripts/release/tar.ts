// A reproducible .tgz: the same files give the same bytes, whoever builds them, wherever.
// ustar entries under `package/` (the layout npm expects), sorted by path, with one fixed mtime,
// uid/gid 0, no user or group names, and modes normalised to 0644 / 0755 (only the executable bit
// of the file on disk counts, so the builder's umask does not). gzip comes from Node's zlib with a
// zero header mtime; zlib's output is fixed for one zlib version (Node 20 ships its own).
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  /** Path inside the package, with `/` separators (`bin/rampart`). */
  path: string;
  data: Buffer;
  executable: boolean;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  // width - 1 octal digits and a NUL, as GNU tar and node-tar write them.
  const s = value.toString(8);
  if (s.length > width - 1) throw new Error(`tar: ${value} does not fit in ${width} bytes`);
  return s.padStart(width - 1, '0') + '\0';
}

function splitName(full: string): { name: string; prefix: string } {
  if (Buffer.byteLength(full) <= 100) return { name: full, prefix: '' };
  // ustar: prefix (≤ 155 bytes) + '/' + name (≤ 100 bytes), split at a '/'.
  for (let i = full.lastIndexOf('/'); i > 0; i = full.lastIndexOf('/', i - 1)) {
    const prefix = full.slice(0, i);
    const name = full.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`tar: path too long for ustar: ${full}`);
}

function header(path: string, size: number, mode: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  const { name, prefix } = splitName(path);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii'); // uid
  h.write(octal(0, 8), 116, 8, 'ascii'); // gid
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(mtime, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii'); // checksum field counts as spaces while summing
  h.write('0', 156, 1, 'ascii'); // regular file
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

export function tar(entries: readonly TarEntry[], mtimeSeconds: number): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  for (const [i, e] of sorted.entries()) {
    if (i > 0 && sorted[i - 1].path === e.path) throw new Error(`tar: ${e.path} twice`);
    if (!/^[\x21-\x7e]+$/.test(e.path) || e.path.startsWith('/') || e.path.split('/').includes('..')) {
      throw new Error(`tar: refusing path ${JSON.stringify(e.path)}`);
    }
    parts.push(header(`package/${e.path}`, e.data.length, e.executable ? 0o755 : 0o644, mtimeSeconds));
    parts.push(e.data);
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0)); // end of archive
  return Buffer.concat(parts);
}

export function tarGz(entries: readonly TarEntry[], mtimeSeconds: number): Buffer {
  return gzipSync(tar(entries, mtimeSeconds), { level: 9 });
}
