// The data-protection engines throw DataProtectionConfigError with an absolute JSON pointer; a
// component's build reports it at that pointer (a PointedError, joined by build-stages:
// `/endpoints/0/extra_config/validation~1cel/0/check_expr: reason`).
import { pointedFrom } from '../../core/config-error.js';
import { DataProtectionConfigError } from '../../data-protection/compile-error.js';

/** An engine error as a build error at its own pointer. */
export function asBuildError(err: unknown, base: string): Error {
  if (err instanceof DataProtectionConfigError) return pointedFrom(base, err.pointer, err.reason);
  return err as Error;
}
