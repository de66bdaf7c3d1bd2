// KrakenD's CEL declarations (krakend-cel internal/cel.go), with the phase each belongs to.
// `now` belongs to every phase. Nothing else is declared: an unknown variable (e.g. `req_body`,
// which KrakenD silently drops) fails the type check and stops startup.
import type { CelPhase } from './types.js';

export interface VariableDecl {
  readonly type: string;
  readonly phase: CelPhase | 'any';
}

export const CEL_VARIABLES: Readonly<Record<string, VariableDecl>> = {
  now: { type: 'string', phase: 'any' },
  req_method: { type: 'string', phase: 'request' },
  req_path: { type: 'string', phase: 'request' },
  req_params: { type: 'map<string, string>', phase: 'request' },
  req_headers: { type: 'map<string, list<string>>', phase: 'request' },
  req_querystring: { type: 'map<string, list<string>>', phase: 'request' },
  resp_completed: { type: 'bool', phase: 'response' },
  resp_metadata_status: { type: 'int', phase: 'response' },
  resp_metadata_headers: { type: 'map<string, list<string>>', phase: 'response' },
  resp_data: { type: 'map<string, dyn>', phase: 'response' },
  JWT: { type: 'map<string, dyn>', phase: 'jwt' },
};

export function isCelVariable(name: string): boolean {
  return Object.hasOwn(CEL_VARIABLES, name);
}
