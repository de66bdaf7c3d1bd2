// Every fuzz property, by name, for the long-run driver (scripts/fuzz.ts). The short runs in
// `npm test` are test/unit/fuzz-*.test.ts, over the same properties.
import type fc from 'fast-check';
import { configCliProperty, configLoadProperty } from './config-properties.js';
import { encodingProperty } from './encoding-properties.js';
import { headerProperty, queryCapProperty, queryProperty } from './forward-properties.js';
import { startGatewayUrlProperty } from './gateway-url-properties.js';
import { jsonSyntaxProperty } from './json-syntax-properties.js';
import { tokenProperty } from './token-properties.js';
import { urlTemplateProperty } from './url-properties.js';

type AnyProperty = fc.IRawProperty<any, boolean>;

export interface FuzzTarget {
  name: string;
  /** What it checks, for the report. */
  what: string;
  /** Share of the run's time, relative to the others (slow properties with much to find get more). */
  weight?: number;
  start(): Promise<{ property: AnyProperty; stop?(): Promise<void> }>;
}

const plain = (property: AnyProperty) => async () => ({ property });

export const TARGETS: FuzzTarget[] = [
  { name: 'config-load', what: 'mutated configs through every phase of check (in process)', start: plain(configLoadProperty), weight: 3 },
  { name: 'config-check-cli', what: 'mutated configs through `rampart check` (subprocess)', start: plain(configCliProperty) },
  { name: 'json-syntax', what: 'JSON syntax scanner vs JSON.parse', start: plain(jsonSyntaxProperty) },
  { name: 'url-template', what: 'url_pattern substitution invariant (in process)', start: plain(urlTemplateProperty) },
  { name: 'url-gateway', what: 'url invariant through the real gateway and backend', start: startGatewayUrlProperty },
  { name: 'headers', what: 'input_headers / Connection / hop-by-hop filtering', start: plain(headerProperty) },
  { name: 'query', what: 'input_query_strings filtering and Go order', start: plain(queryProperty) },
  { name: 'query-cap', what: 'MAX_QUERY_PARAMS cannot be bypassed', start: plain(queryCapProperty) },
  { name: 'token', what: 'JWT token extraction from header and cookie', start: plain(tokenProperty) },
  { name: 'encoding', what: 'backend decoders and output encoders on arbitrary bytes', start: plain(encodingProperty), weight: 2 },
];
