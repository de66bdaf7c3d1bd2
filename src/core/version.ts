// Rampart's identity on the wire. Rampart never claims to be KrakenD: where KrakenD writes
// "KrakenD Version x" or "X-Krakend-*", Rampart writes its own names (see README, conformance).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.js';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const VERSION = readVersion();
/** Sent upstream as User-Agent (or X-Forwarded-Via when the client's User-Agent is forwarded). */
export const USER_AGENT = `Rampart Version ${VERSION}`;
/** KrakenD's X-Krakend-Completed: "true" only when every backend answered completely. */
export const COMPLETED_HEADER = 'x-rampart-completed';
