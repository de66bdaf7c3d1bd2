/** One problem found in a config file, located by JSON pointer (RFC 6901). */
export interface ConfigProblem {
  readonly pointer: string;
  readonly message: string;
  /** Set for JSON syntax errors, where there is no document to point into: 1-based. */
  readonly line?: number;
  readonly column?: number;
}

/** `FILE: /pointer: message`, or `FILE:LINE:COLUMN: message` for a JSON syntax error. */
export function formatProblem(file: string, p: ConfigProblem): string {
  if (p.line !== undefined) return `${file}:${p.line}:${p.column ?? 1}: ${p.message}`;
  return `${file}: ${p.pointer || '/'}: ${p.message}`;
}

/**
 * Thrown when a config cannot start a gateway. It carries every problem found, not only the
 * first, so `rampart check` can list them all (`FILE: /json/pointer: message`, or
 * `FILE:LINE:COLUMN: message` when the text is not JSON).
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly problems: readonly ConfigProblem[];
  constructor(file: string, problems: readonly ConfigProblem[]) {
    super(problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

/** Collects problems while compiling; compile code never throws on the first one. */
export class Problems {
  readonly list: ConfigProblem[] = [];
  add(pointer: string, message: string): void {
    this.list.push({ pointer, message });
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}

export function pointerJoin(base: string, ...keys: (string | number)[]): string {
  let out = base;
  for (const k of keys) out += '/' + String(k).replace(/~/g, '~0').replace(/\//g, '~1');
  return out;
}

/** A build error at a place inside the namespace's value: `at` is a JSON pointer relative to the
 * namespace ('' or '/0/check_expr'), joined to the namespace's pointer when reported, so a problem
 * reads `/endpoints/0/extra_config/validation~1cel/0/check_expr: reason`. */
export class PointedError extends Error {
  readonly at: string;
  constructor(at: string, reason: string) {
    super(reason);
    this.at = at === '' || at.startsWith('/') ? at : `/${at}`;
  }
}

/** An engine error with an absolute pointer, as a PointedError relative to `base` (the
 * namespace's pointer); a pointer outside `base` keeps only the reason, at the namespace. */
export function pointedFrom(base: string, pointer: string, reason: string): PointedError {
  return new PointedError(
    pointer.startsWith(base) && (pointer.length === base.length || pointer[base.length] === '/') ? pointer.slice(base.length) : '',
    reason,
  );
}
