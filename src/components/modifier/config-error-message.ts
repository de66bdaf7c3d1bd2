// The engines of src/modifiers report a bad config as MartianConfigError {pointer, reason}, the
// pointer relative to the namespace value: a PointedError, which build-stages joins to the
// namespace's pointer (`…/modifier~1martian/fifo.Group/modifiers/1/header.Modifier/name: reason`).
import { PointedError } from '../../core/config-error.js';
import { MartianConfigError } from '../../modifiers/martian/types.js';

export function configErrorAsMessage<T>(compile: () => T): T {
  try {
    return compile();
  } catch (e) {
    if (e instanceof MartianConfigError) throw new PointedError(e.pointer, e.reason);
    throw e;
  }
}
