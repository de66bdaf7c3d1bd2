// undici's Pool module, imported by its file path (see proxy/upstream-pools.ts).
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';
  const PoolClass: typeof Pool;
  export default PoolClass;
}

// undici's header helpers (proxy/upstream-exchange.ts): the same lookup its own parser uses.
declare module 'undici/lib/core/util.js' {
  const util: {
    /** Lower-cased header name; well-known names come back as one shared (internalized) string. */
    headerNameToString(value: Buffer | string): string;
  };
  export default util;
}

// undici's connector (proxy/connection-timing.ts wraps it to time DNS and TLS). Its function
// returns the socket it opens, which undici's type (returning void) leaves out.
declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici';
  const build: typeof buildConnector;
  export default build;
}
