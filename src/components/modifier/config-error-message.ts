// The engines of src/modifiers report a bad config as MartianConfigError {pointer, reason}, the
// pointer relative to the namespace value. The pipeline reports a build's Error message at the
// namespace's pointer, so the message carries the inner pointer first: "/expr: reason".
import { MartianConfigError } from '../../modifiers/martian/types.js';

export function configErrorAsMessage<T>(compile: () => T): T {
  try {
    return compile();
  } catch (e) {
    if (e instanceof MartianConfigError) throw new Error(e.pointer !== '' ? `${e.pointer}: ${e.reason}` : e.reason);
    throw e;
  }
}
