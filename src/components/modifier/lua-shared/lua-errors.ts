// What a failed or refusing script becomes: `custom_error` answers exactly the script's status
// and body (KrakenD sends it whatever return_error_msg says), any other failure is a 500 with
// nothing of the script in it (the reason goes to the log only).
import { GatewayError } from '../../../core/gateway-error.js';
import type { LuaCustomError, LuaFailure } from '../../../scripting/lua/types.js';
import type { Logger } from '../../../observability/logger.js';

/** A custom_error status KrakenD would write; anything else is a 500. */
export function customStatus(s: number): number {
  return Number.isInteger(s) && s >= 100 && s <= 599 ? s : 500;
}

export function customErrorOf(e: LuaCustomError): GatewayError {
  return new GatewayError(
    'lua.custom_error',
    'a Lua script answered with custom_error',
    customStatus(e.status),
    Buffer.from(e.body, 'utf8'),
    e.contentType,
    true,
  );
}

export function failureOf(f: LuaFailure, log: Logger, where: string): GatewayError {
  // Load shedding, not a script fault: no log line per refused call (a flood would flood the log).
  if (f.reason === 'busy') return new GatewayError('lua.busy', 'Lua scripts busy', 503);
  // The message can quote script text or data: log only, never to the client.
  log.warn({ lua: where, reason: f.reason, detail: f.message.slice(0, 500) }, 'Lua script failed');
  return new GatewayError('lua.failed', `Lua script failed (${f.reason})`, 500);
}
