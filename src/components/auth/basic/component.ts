// `auth/basic` (KrakenD EE, docs/reference/auth-and-tls.md §6): HTTP Basic authentication (RFC 7617) against bcrypt hashes.
// bcrypt is deliberately slow (and bcryptjs is pure JS), so a successful check is remembered for
// a short time, keyed by an HMAC of the credentials under a per-process random key (never the
// password itself); at most a few bcrypt checks run at once, and beyond a bounded queue the
// gateway answers 503 rather than let a password flood stall every other request. Unknown users
// are checked against a dummy hash so response time does not reveal which users exist.
import type { BasicConfig } from './schema.js';
import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { LRUCache } from 'lru-cache';
import type { BuildEnv, Guard, Rejection, Stage } from '../../types.js';
import { refusal } from '../../types.js';
import { normalizeBcrypt, readHtpasswd } from './htpasswd.js';

const SHARED_KEY = 'auth/basic';
const REJECT_401: Rejection = refusal('auth.basic.invalid', 'auth/basic', 'missing or wrong credentials', {
  headers: ['www-authenticate', 'Basic realm="restricted", charset="UTF-8"'],
});
const REJECT_503: Rejection = refusal('auth.basic.busy', 'auth/basic', 'too many password checks queued', { headers: ['retry-after', '1'] });
const CACHE_TTL_MS = 60_000;
const MAX_CONCURRENT = 4;
const MAX_QUEUED = 256;
const MAX_HEADER = 4096;

function loadUsers(cfg: BasicConfig, at: string): Map<string, string> {
  const users = cfg.htpasswd_path ? readHtpasswd(cfg.htpasswd_path) : new Map<string, string>();
  // Inline users override file entries (EE behaviour).
  for (const [u, h] of Object.entries((cfg.users ?? {}) as Record<string, string>)) {
    if (u.includes(':')) throw new Error(`users: "${u}": a user name cannot contain ":" (RFC 7617)`);
    users.set(u, normalizeBcrypt(h, `${at}/users/${u}`));
  }
  refuseMixedCosts(users);
  return users;
}

/** Unknown users are checked against a dummy hash of one cost; with mixed costs, known users
 * of another cost would answer at another speed, so which users exist could be timed (issue
 * #14). One cost for every user is required instead. */
function refuseMixedCosts(users: Map<string, string>): void {
  let first: [string, string] | undefined;
  for (const [u, h] of users) {
    const cost = h.slice(4, 6);
    if (!first) first = [u, cost];
    else if (cost !== first[1]) {
      throw new Error(
        `bcrypt costs differ (${Number(first[1])} for "${first[0]}", ${Number(cost)} for "${u}"): unknown and known users would answer at different speeds, revealing which users exist; re-hash every password with one cost`,
      );
    }
  }
}

/** bcrypt reads only the first 72 bytes of a password: a longer one would be accepted with any
 * suffix, so it is refused (401) before hashing. */
const MAX_PASSWORD_BYTES = 72;

/** A tiny semaphore: run at most MAX_CONCURRENT, queue up to MAX_QUEUED, refuse the rest. */
function limiter() {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    if (running >= MAX_CONCURRENT) {
      if (queue.length >= MAX_QUEUED) return undefined;
      await new Promise<void>((r) => queue.push(r));
    } else running++;
    try {
      return await fn();
    } finally {
      const next = queue.shift();
      if (next) next();
      else running--;
    }
  };
}

function buildEndpoint(cfg: BasicConfig, env: BuildEnv): Stage {
  let users: Map<string, string>;
  if (Object.keys(cfg).filter((k) => !/^[@$_#]/.test(k)).length > 0) users = loadUsers(cfg, env.pointer);
  else {
    if (env.service.extra[SHARED_KEY] === undefined) throw new Error('an empty block inherits the service-level "auth/basic", which is missing');
    users = env.shared.get<Map<string, string>>(SHARED_KEY, () => {
      throw new Error('the service-level auth/basic could not be built (see its error)');
    });
  }
  if (users.size === 0) throw new Error('no users: set "htpasswd_path" or "users"');
  // A dummy hash with the cost of the real ones, for unknown users.
  const cost = Number([...users.values()][0].slice(4, 6));
  const dummy = env.shared.get(`auth/basic.dummy:${cost}`, () => bcrypt.hashSync(randomBytes(16).toString('hex'), cost));
  const pepper = randomBytes(32);
  const verified = new LRUCache<string, true>({ max: 10_000, ttl: CACHE_TTL_MS });
  const limit = limiter();
  const log = env.log;

  const guard: Guard = (ctx) => {
    const h = ctx.req.headers.authorization;
    if (typeof h !== 'string' || h.length > MAX_HEADER || h.length < 7 || h.slice(0, 6).toLowerCase() !== 'basic ') return REJECT_401;
    const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return REJECT_401;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return REJECT_401;
    const id = createHmac('sha256', pepper).update(decoded).digest('base64');
    if (verified.has(id)) {
      return undefined;
    }
    const hash = users.get(user);
    return limit(() => bcrypt.compare(password, hash ?? dummy)).then((ok) => {
      if (ok === undefined) return REJECT_503;
      if (!ok || hash === undefined) {
        if (log.isLevelEnabled('debug')) log.debug({ endpoint: ctx.path }, 'basic auth rejected');
        return REJECT_401;
      }
      verified.set(id, true);
      return undefined;
    });
  };
  return { onRequest: guard };
}

/** The runtime of `auth/basic` (schema.ts loads it on first use). */
export function build(cfg: BasicConfig, env: BuildEnv): Stage | null {
  if (env.scope === 'service') {
    const users = loadUsers(cfg, env.pointer);
    env.shared.get(SHARED_KEY, () => users);
    return null;
  }
  return buildEndpoint(cfg, env);
}
