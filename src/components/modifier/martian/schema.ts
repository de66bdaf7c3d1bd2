// `modifier/martian` (backend; CE legacy name github.com/devopsfaith/krakend-martian, renamed by
// config/validate.ts) as the registry sees it. The schema here is only the outer shape: one
// modifier, filter or group. The engine (src/modifiers/martian, loaded with component.ts)
// checks every modifier at startup, stricter than a schema could (header names and values,
// base64, RE2 syntax, scope per modifier), and reports the exact pointer of what is wrong.
import type { ComponentSpec } from '../../types.js';

export const martianComponent: ComponentSpec = {
  namespace: 'modifier/martian',
  schemas: {
    backend: { type: 'object', minProperties: 1 },
  },
  load: () => import('./component.js'),
};
