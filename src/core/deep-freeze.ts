// Freezes a plain data tree (config, verified claims) so that nothing downstream can change
// what was validated. Objects that are already frozen are not walked again.
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}
