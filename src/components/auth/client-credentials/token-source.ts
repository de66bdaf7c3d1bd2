// One OAuth2 client-credentials token (RFC 6749 §4.4) for the gateway's calls to a backend. The
// token is cached until shortly before it expires; refreshes are single-flight (a burst of
// requests makes one call to the token endpoint); the call is time-bounded; a failure is
// remembered for a second so a dead IdP is not hammered. Client authentication follows
// golang.org/x/oauth2's auto-detection: HTTP Basic first (RFC 6749 §2.3.1), and if the endpoint
// refuses it, credentials in the form body — the working style is then kept. Nothing the token
// endpoint answers is ever logged or passed on; only its status code is logged.
import type { ConnectionOptions } from 'node:tls';
import { Agent, request } from 'undici';
import type { Logger } from '../../../observability/logger.js';

const FETCH_TIMEOUT_MS = 10_000;
const MAX_BODY = 64 * 1024;
const FAILURE_BACKOFF_MS = 1000;
/** Lifetime assumed when the token endpoint gives no `expires_in` (KrakenD: forever). */
const DEFAULT_LIFETIME_MS = 60_000;
const MAX_EARLY_REFRESH_MS = 10_000;

export interface TokenSourceOptions {
  url: string;
  label: string;
  clientId: string;
  clientSecret: string;
  /** Form fields besides the client credentials (grant_type, scope, endpoint_params). */
  form: [string, string][];
  /** TLS for an https token_url: the service's client_tls, as for backends (docs/reference/auth-and-tls.md §7.2). */
  tls: ConnectionOptions;
  log: Logger;
}

class TokenError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function typeName(t: unknown): string {
  if (typeof t !== 'string' || t === '' || t.toLowerCase() === 'bearer') return 'Bearer';
  const l = t.toLowerCase();
  return l === 'mac' ? 'MAC' : l === 'basic' ? 'Basic' : t;
}

const HEADER_SAFE = /^[\x21-\x7e]+$/;

export class TokenSource {
  private value: string | undefined;
  private refreshAt = 0;
  private inflight: Promise<string> | undefined;
  private failedUntil = 0;
  private style: 'basic' | 'body' | undefined;
  private readonly agent: Agent;
  /** Calls made to the token endpoint. */
  fetches = 0;

  constructor(private readonly o: TokenSourceOptions) {
    this.agent = new Agent({ connect: { ...o.tls, timeout: FETCH_TIMEOUT_MS }, headersTimeout: FETCH_TIMEOUT_MS, bodyTimeout: FETCH_TIMEOUT_MS });
  }

  /** The cached "Type token" value when still fresh (no allocation on the hot path). */
  current(): string | undefined {
    return this.value !== undefined && Date.now() < this.refreshAt ? this.value : undefined;
  }

  /** A fresh value; concurrent callers share one request. */
  get(): Promise<string> {
    const v = this.current();
    if (v !== undefined) return Promise.resolve(v);
    if (this.inflight) return this.inflight;
    if (Date.now() < this.failedUntil) return Promise.reject(new TokenError('token endpoint failed recently'));
    this.inflight = this.fetchToken().then(
      (t) => {
        this.inflight = undefined;
        return t;
      },
      (err: TokenError) => {
        this.inflight = undefined;
        this.failedUntil = Date.now() + FAILURE_BACKOFF_MS;
        this.o.log.warn({ token_url: this.o.label, status: err.status, err: err.message }, 'auth/client-credentials: could not obtain a token');
        throw err;
      },
    );
    return this.inflight;
  }

  private async fetchToken(): Promise<string> {
    if (this.style === undefined) {
      try {
        const t = await this.call('basic');
        this.style = 'basic';
        return t;
      } catch (err) {
        const s = (err as TokenError).status;
        if (s !== 400 && s !== 401) throw err;
        const t = await this.call('body');
        this.style = 'body';
        return t;
      }
    }
    return this.call(this.style);
  }

  private async call(style: 'basic' | 'body'): Promise<string> {
    this.fetches++;
    const form = new URLSearchParams(this.o.form);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (style === 'basic') {
      const user = encodeURIComponent(this.o.clientId);
      const pass = encodeURIComponent(this.o.clientSecret);
      headers.authorization = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
    } else {
      form.set('client_id', this.o.clientId);
      form.set('client_secret', this.o.clientSecret);
    }
    let res;
    try {
      res = await request(this.o.url, {
        method: 'POST',
        headers,
        body: form.toString(),
        dispatcher: this.agent,
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch (err) {
      throw new TokenError(`request failed: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res.body) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) {
        res.body.destroy();
        throw new TokenError('token response too large', res.statusCode);
      }
      chunks.push(c as Buffer);
    }
    if (res.statusCode !== 200) throw new TokenError('token endpoint refused', res.statusCode);
    const text = Buffer.concat(chunks).toString('utf8');
    let doc: Record<string, unknown>;
    try {
      const ctype = String(res.headers['content-type'] ?? '');
      doc = ctype.includes('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
    } catch {
      throw new TokenError('token response is not JSON', 200);
    }
    const token = doc?.access_token;
    if (typeof token !== 'string' || !HEADER_SAFE.test(token)) throw new TokenError('token response has no usable access_token', 200);
    const type = typeName(doc.token_type);
    if (!HEADER_SAFE.test(type)) throw new TokenError('token response has an unusable token_type', 200);
    const expiresIn = Number(doc.expires_in);
    const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : DEFAULT_LIFETIME_MS;
    this.value = `${type} ${token}`;
    // Refresh ahead of expiry (golang/oauth2 uses 10 s); short-lived tokens at half-life.
    this.refreshAt = Date.now() + lifetime - Math.min(MAX_EARLY_REFRESH_MS, lifetime / 2);
    return this.value;
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}
