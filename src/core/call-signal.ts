// The cancellation signal of one request's backend calls (endpoint timeout, client gone).
//
// Node's AbortController/AbortSignal is an EventTarget: building one, adding and removing its
// listeners cost ~5% of a proxied request in profiles, for a signal that almost never fires.
// CallSignal is the subset the gateway uses, as a plain object. AbortSignal satisfies the same
// interface, so a component may still hand a real one (from its own AbortController) downstream.

export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export class CallSignal implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  /** Usually zero or one listener: a single slot avoids an array per request. */
  private first: (() => void) | null = null;
  private more: (() => void)[] | null = null;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    if (this.first === null) this.first = listener;
    else (this.more ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.first === listener) this.first = null;
    else if (this.more !== null) {
      const i = this.more.indexOf(listener);
      if (i >= 0) this.more.splice(i, 1);
    }
  }

  /** Fires every listener once (listeners are "once" by nature: a signal aborts only once). */
  abort(reason: unknown = new Error('aborted')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const first = this.first;
    const more = this.more;
    this.first = null;
    this.more = null;
    if (first !== null) first();
    if (more !== null) for (const l of more) l();
  }
}
