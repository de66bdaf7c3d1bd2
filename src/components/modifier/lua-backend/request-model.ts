// The request a backend `pre` script sees, over the upstream request about to be sent: each
// part is converted to the engine's form (Go-style multimaps, lura's param names, body text)
// only when the script reads it, and once.
import type { CallInput, UpstreamRequest } from '../../../core/backend-result.js';
import type { LuaMultiMap, LuaRequestModel } from '../../../scripting/lua/types.js';
import { bodyText, luraParams, multiOfFlat, multiOfQuery } from '../lua-shared/lua-model.js';
import { addPropagated, type Propagated } from './propagated.js';

export class BackendRequestModel implements LuaRequestModel {
  readonly method: string;
  readonly url: string;
  /** The path without its query, and the raw query. */
  readonly path: string;
  readonly rawQuery: string;
  private q: LuaMultiMap | undefined;
  private h: LuaMultiMap | undefined;
  private p: Record<string, string> | undefined;
  private b: string | undefined;

  constructor(
    readonly req: UpstreamRequest,
    private readonly input: CallInput,
    private readonly propagated: readonly Propagated[],
  ) {
    this.method = req.method;
    this.url = req.origin + req.path;
    const i = req.path.indexOf('?');
    this.path = i < 0 ? req.path : req.path.slice(0, i);
    this.rawQuery = i < 0 ? '' : req.path.slice(i + 1);
  }

  get query(): LuaMultiMap {
    return (this.q ??= multiOfQuery(this.rawQuery));
  }
  /** Lower-case names, as the upstream request has them (the engine canonicalises). */
  get headers(): LuaMultiMap {
    return (this.h ??= multiOfFlat(this.req.headers));
  }
  get params(): Record<string, string> {
    if (this.p === undefined) {
      this.p = luraParams(this.input.params).params;
      if (this.propagated.length > 0) addPropagated(this.p, this.propagated, this.input);
    }
    return this.p;
  }
  get body(): string {
    return (this.b ??= bodyText(this.req.body));
  }
}
