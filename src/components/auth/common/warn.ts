// Warnings raised while building (an insecure-but-allowed or ignored setting). They go to the log
// at warn level; when that level is off — `rampart check` builds with a silent logger — they are
// written to stderr in the same `FILE: warning: /pointer: message` form as the loader's warnings,
// so `check` flags them too.
import type { BuildEnv } from '../../types.js';

export function buildWarning(env: BuildEnv, message: string, fields: Record<string, unknown> = {}): void {
  if (env.log.isLevelEnabled('warn')) env.log.warn({ at: env.pointer, ...fields }, message);
  else process.stderr.write(`${env.service.file}: warning: ${env.pointer}: ${message}\n`);
}
