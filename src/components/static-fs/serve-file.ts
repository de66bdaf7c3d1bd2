// Finds and opens a file under a served folder, for server/static-filesystem and
// backend/static-filesystem. The folder's real path is fixed at startup; a request's path
// (safe-path.ts) is joined to it, then resolved with realpath and must still be inside it, so a
// symlink pointing out of the folder is refused wherever it sits. The file is opened with
// O_NOFOLLOW and checked again with fstat (a regular file: never a FIFO, socket or device).
// Small files are read whole, larger ones streamed from that descriptor. A directory answers
// its index.html (checked the same way), else a listing only when the config allows it.
import { constants, realpathSync, statSync } from 'node:fs';
import { assertMayRead } from '../../core/config-files.js';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { contentTypeOf } from './mime.js';
import { safeSegments } from './safe-path.js';

export interface StaticRoot {
  readonly real: string;
  readonly listing: boolean;
}

export interface FoundFile {
  readonly kind: 'file';
  readonly headers: string[];
  readonly body: Buffer | Readable;
  readonly size: number;
}

/** A directory asked for without its trailing slash (the caller redirects, or refuses). */
export interface FoundDirectory {
  readonly kind: 'directory';
}

export type Lookup = FoundFile | FoundDirectory | undefined;

/** Read whole up to this size; larger files are streamed (or refused where no stream fits). */
export const WHOLE_FILE = 256 * 1024;
/** The most entries a directory listing shows. */
const MAX_LISTING = 1000;

/** The folder of `path` (relative to the config file), which must exist and be a directory. */
export function compileRoot(path: string, configFile: string, listing: boolean): StaticRoot {
  const abs = isAbsolute(path) ? path : resolve(dirname(configFile), path);
  assertMayRead(); // `check --lint` looks at no folder the config names
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    throw new Error(`path: folder ${JSON.stringify(path)} does not exist`);
  }
  if (!statSync(real).isDirectory()) throw new Error(`path: ${JSON.stringify(path)} is not a folder`);
  return { real, listing };
}

/** The real path of `p` if it is inside the root (the root itself included), else undefined. */
async function inside(root: StaticRoot, p: string): Promise<string | undefined> {
  let real: string;
  try {
    real = await realpath(p);
  } catch {
    return undefined;
  }
  return real === root.real || real.startsWith(root.real + sep) ? real : undefined;
}

async function openFile(real: string, maxWhole: number, stream: boolean): Promise<FoundFile | undefined> {
  let fh;
  try {
    fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    const headers = ['content-type', contentTypeOf(real), 'x-content-type-options', 'nosniff', 'last-modified', st.mtime.toUTCString()];
    if (st.size <= maxWhole) return { kind: 'file', headers, body: await fh.readFile(), size: st.size };
    if (!stream) return undefined;
    headers.push('content-length', String(st.size));
    const s = fh.createReadStream({ autoClose: true, end: st.size - 1 });
    fh = undefined; // the stream owns it now
    return { kind: 'file', headers, body: s, size: st.size };
  } finally {
    await fh?.close();
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function listing(real: string): Promise<FoundFile> {
  const entries = (await readdir(real, { withFileTypes: true }))
    .filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isDirectory()))
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort()
    .slice(0, MAX_LISTING);
  const items = entries.map((n) => `<a href="${escapeHtml(encodeURIComponent(n.replace(/\/$/, '')) + (n.endsWith('/') ? '/' : ''))}">${escapeHtml(n)}</a>`);
  const body = Buffer.from(`<!doctype html>\n<pre>\n${items.join('\n')}\n</pre>\n`);
  const headers = ['content-type', 'text/html; charset=utf-8', 'x-content-type-options', 'nosniff', 'content-security-policy', "default-src 'none'"];
  return { kind: 'file', headers, body, size: body.length };
}

/** The file for a request path relative to the root (still percent-encoded), or undefined. */
export async function lookup(root: StaticRoot, rawRel: string, maxWhole: number, stream: boolean): Promise<Lookup> {
  const safe = safeSegments(rawRel);
  if (safe === undefined) return undefined;
  const real = await inside(root, join(root.real, ...safe.segments));
  if (real === undefined) return undefined;
  let st;
  try {
    st = await stat(real);
  } catch {
    return undefined;
  }
  if (st.isFile()) return safe.dir ? undefined : openFile(real, maxWhole, stream);
  if (!st.isDirectory()) return undefined;
  if (!safe.dir) return { kind: 'directory' };
  const index = await inside(root, join(real, 'index.html'));
  if (index !== undefined) {
    const f = await openFile(index, maxWhole, stream);
    if (f) return f;
  }
  return root.listing ? listing(real) : undefined;
}
