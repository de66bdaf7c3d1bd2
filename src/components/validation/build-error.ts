// The data-protection engines throw DataProtectionConfigError with an absolute JSON pointer; a
// component's build reports problems as "<pointer relative to the namespace>: reason".
import { DataProtectionConfigError } from '../../data-protection/compile-error.js';

/** An engine error as a build error: its pointer relative to the namespace's. */
export function asBuildError(err: unknown, base: string): Error {
  if (err instanceof DataProtectionConfigError) {
    const rel = err.pointer.startsWith(base) ? err.pointer.slice(base.length) : err.pointer;
    return new Error(rel ? `${rel.replace(/^\//, '')}: ${err.reason}` : err.reason);
  }
  return err as Error;
}
