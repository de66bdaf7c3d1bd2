// Every extra_config namespace Rampart implements. A namespace not listed here is refused at
// startup: misspelled ones with a "did you mean", KrakenD ones Rampart lacks with a plain
// "not implemented" (see config/extra-config.ts).
import { backendHttpComponent } from './backend-http/schema.js';
import { proxyComponent } from './proxy/schema.js';
import { routerComponent } from './router/schema.js';
import type { ComponentSpec } from './types.js';

export const COMPONENTS: readonly ComponentSpec[] = [routerComponent, proxyComponent, backendHttpComponent];

export const COMPONENTS_BY_NAMESPACE: ReadonlyMap<string, ComponentSpec> = new Map(
  COMPONENTS.map((c) => [c.namespace, c]),
);
