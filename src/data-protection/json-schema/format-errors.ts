// ajv errors in KrakenD's current text form (`- at '/a': must be number`). The messages name
// schema rules and data paths, never values (no enum or const echo), so they cannot leak data
// the client did not send; they are still written only when return_error_msg allows.
import type { ErrorObject } from 'ajv';

export function formatSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors?.length) return 'validation failed';
  return errors.map((e) => `- at '${e.instancePath}': ${e.message ?? e.keyword}`).join('\n');
}
