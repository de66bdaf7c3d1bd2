// `modifier/jmespath` runtime: a response hook replacing the data by the expression's result
// (KrakenD EE: an array result goes under "collection"). At endpoint scope it runs on the merged
// data before encoding; at backend scope on that backend's decoded data (before the merge).
// A runtime error (step budget, wrong type for a function) answers 500 (backend.modifier); the
// expression's text never reaches the client.
import { compileJmespath, runJmespath, wrapResult } from '../../../modifiers/jmespath/index.js';
import { GatewayError } from '../../../core/gateway-error.js';
import type { Answer } from '../../../core/answer.js';
import type { BuildEnv, Stage } from '../../types.js';
import { configErrorAsMessage } from '../config-error-message.js';

const FAILED = new GatewayError('backend.modifier', 'modifier/jmespath failed');

export function build(config: unknown, env: BuildEnv): Stage {
  if (env.scope === 'service') throw new Error('only allowed at endpoint or backend level');
  const j = configErrorAsMessage(() => compileJmespath(config, ''));
  return {
    onResponse(_ctx, a): Answer | undefined {
      if ((a.origin !== 'proxy' && a.origin !== 'error') || a.data === undefined) return undefined;
      try {
        a.data = wrapResult(runJmespath(j, a.data));
        return undefined;
      } catch {
        return { status: 500, headers: [], data: undefined, body: '', origin: 'error', failure: FAILED, close: false };
      }
    },
  };
}
