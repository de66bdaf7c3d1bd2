// Process-local registry of circuit breakers, read by a later /metrics endpoint (or a test)
// through `circuitBreakerStates()`: a gauge (0 closed, 1 half-open, 2 open) and two counters per
// breaker. Nothing is computed per request; the getter reads the breakers' own fields.
import type { BreakerState } from './breaker.js';

/** What the registry reads: a process's own Breaker, or a worker's mirror of the node's. */
export interface BreakerView {
  readonly name: string;
  readonly state: BreakerState;
  readonly opened: number;
  readonly transitions: number;
}

export interface BreakerSnapshot {
  id: string;
  name: string;
  state: BreakerState;
  /** 0 closed, 1 half-open, 2 open. */
  gauge: number;
  opened: number;
  transitions: number;
}

const registry = new Map<string, BreakerView>();
const GAUGE = { closed: 0, 'half-open': 1, open: 2 } as const;

export function registerBreaker(id: string, b: BreakerView): () => void {
  registry.set(id, b);
  return () => {
    if (registry.get(id) === b) registry.delete(id);
  };
}

export function circuitBreakerStates(): BreakerSnapshot[] {
  return [...registry].map(([id, b]) => ({ id, name: b.name, state: b.state, gauge: GAUGE[b.state], opened: b.opened, transitions: b.transitions }));
}
