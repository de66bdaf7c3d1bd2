// The circuit breaker state machine (docs/reference/traffic-and-http-security.md §4, gobreaker semantics with one deliberate change):
//   closed     calls pass; `threshold` consecutive failures open it. With an interval, the counts
//              reset at the end of each fixed window that starts when the breaker closes.
//   open       calls are refused at once, without touching the backend, for `timeout`.
//   half-open  the first call after the timeout is the one trial; concurrent calls are refused.
//              Trial success closes the breaker (fresh counts), failure reopens it.
// Change: KrakenD opens after max_errors + 1 failures (krakend-circuitbreaker#11); Rampart opens
// after max_errors (at least 1), which is what the field name promises.
// Results of calls that started in an earlier state (a "generation") are ignored.
// Under `--workers N` this class runs in the cluster primary, one per breaker for the whole node,
// and workers hold a mirror of it (node-breaker.ts), so `max_errors` counts the node's failures.

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Codes in the low 2 bits of a ticket; the generation in the rest. */
export const GO = 0;
export const REFUSED_OPEN = 1;
export const REFUSED_BUSY = 2;
export const TRIAL = 3;

export type Outcome = 'success' | 'failure' | 'neutral';

export class Breaker {
  state: BreakerState = 'closed';
  private failures = 0;
  private windowEnd = 0;
  /** When an open breaker lets its trial call through (ms since the epoch). */
  openUntil = 0;
  private trialRunning = false;
  generation = 0;
  /** Metrics: how many times it opened, and every state change. */
  opened = 0;
  transitions = 0;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly threshold: number,
    private readonly onChange: (from: BreakerState, to: BreakerState) => void,
  ) {}

  /** A ticket for one call: its low 2 bits say go / refused / trial. */
  before(now: number): number {
    switch (this.state) {
      case 'closed':
        this.rollWindow(now);
        return this.generation * 4 + GO;
      case 'open':
        if (now < this.openUntil) return REFUSED_OPEN;
        this.to('half-open', now);
        this.trialRunning = true;
        return this.generation * 4 + TRIAL;
      case 'half-open':
        if (this.trialRunning) return REFUSED_BUSY;
        this.trialRunning = true;
        return this.generation * 4 + TRIAL;
    }
  }

  /** Closed with an interval: the counts start again at the end of each window. */
  rollWindow(now: number): void {
    if (this.state === 'closed' && this.intervalMs > 0 && now >= this.windowEnd) {
      this.failures = 0;
      this.windowEnd = now + this.intervalMs;
    }
  }

  /** Failures counted in the closed state since the last reset (a success, a window's end). */
  get counting(): boolean {
    return this.failures > 0;
  }

  after(ticket: number, outcome: Outcome, now: number): void {
    if (Math.floor(ticket / 4) !== this.generation) return;
    if (ticket % 4 === TRIAL) {
      this.trialRunning = false;
      if (outcome === 'success') this.to('closed', now);
      else if (outcome === 'failure') this.to('open', now);
      return;
    }
    if (this.state !== 'closed' || outcome === 'neutral') return;
    if (outcome === 'success') this.failures = 0;
    else if (++this.failures >= this.threshold) this.to('open', now);
  }

  private to(next: BreakerState, now: number): void {
    const from = this.state;
    this.state = next;
    this.generation++;
    this.transitions++;
    this.failures = 0;
    if (next === 'open') {
      this.opened++;
      this.openUntil = now + this.timeoutMs;
    } else if (next === 'closed') {
      this.windowEnd = now + this.intervalMs;
    }
    this.onChange(from, next);
  }
}
