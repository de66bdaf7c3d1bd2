// A config that cannot start: thrown by every compile* function of the data-protection engines.
// It carries the JSON pointer of the offending value (RFC 6901) and a reason without the pointer,
// so the pipeline can file it as a config problem (Problems.add(e.pointer, e.reason)).
import { pointerJoin } from '../core/config-error.js';

export class DataProtectionConfigError extends Error {
  readonly pointer: string;
  readonly reason: string;
  constructor(pointer: string, reason: string) {
    super(`${pointer || '/'}: ${reason}`);
    this.name = 'DataProtectionConfigError';
    this.pointer = pointer;
    this.reason = reason;
  }
}

export function fail(pointer: string, reason: string): never {
  throw new DataProtectionConfigError(pointer, reason);
}

export { pointerJoin };
