// The SHA256SUMS file of a release: one `<64 hex digits>  <file name>` line per artifact, sorted by
// name, the format `sha256sum -c` reads. Written by scripts/release/release.ts, read by
// `rampart verify`. Names are plain file names (no folders), so a list cannot point outside the
// release folder.
import { createHash } from 'node:crypto';

export interface SumEntry {
  name: string;
  sha256: string;
}

export const SUMS_FILE = 'SHA256SUMS';
export const SIGNATURE_FILE = 'SHA256SUMS.sig';

const LINE = /^([0-9a-f]{64}) {2}([A-Za-z0-9._+-]+)$/;

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function formatSums(entries: readonly SumEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted.map((e) => `${e.sha256}  ${e.name}\n`).join('');
}

/** The entries, or the first thing wrong with the text (line number included). */
export function parseSums(text: string): { entries: SumEntry[] } | { error: string } {
  if (text === '') return { error: `${SUMS_FILE} is empty` };
  if (!text.endsWith('\n')) return { error: `${SUMS_FILE} does not end with a newline` };
  const entries: SumEntry[] = [];
  const seen = new Set<string>();
  const lines = text.slice(0, -1).split('\n');
  for (const [i, line] of lines.entries()) {
    const m = LINE.exec(line);
    if (!m) return { error: `${SUMS_FILE} line ${i + 1} is not "<sha256>  <file name>"` };
    const name = m[2];
    if (name === '.' || name === '..' || name === SUMS_FILE || name === SIGNATURE_FILE) {
      return { error: `${SUMS_FILE} line ${i + 1} names ${name}, which cannot be an artifact` };
    }
    if (seen.has(name)) return { error: `${SUMS_FILE} lists ${name} twice` };
    seen.add(name);
    entries.push({ sha256: m[1], name });
  }
  if (entries.length === 0) return { error: `${SUMS_FILE} lists no artifact` };
  return { entries };
}
