// `tls` and `client_tls` from the validated document to ServerTlsOptions / UpstreamTlsOptions,
// with the checks a schema cannot express: obsolete versions, min > max, non-AEAD suites, mTLS
// without a trust anchor, and every file read and matched now (so `rampart check` sees them).
import type { Problems } from '../core/config-error.js';
import { loadServerTls } from './server-context.js';
import { NODE_VERSION, DEFAULT_SERVER_CURVES, cipherString, curveString, type NodeTlsVersion } from './suites.js';
import { TlsFileError } from './pem-files.js';
import { upstreamConnectOptions } from './upstream-context.js';
import type { CertKeyFiles, ServerTlsOptions, UpstreamTlsOptions } from './types.js';

/** Fields `versions` and `suites` read, common to both blocks (schema.ts). */
type RawTlsCommon = {
  min_version?: string;
  max_version?: string;
  cipher_suites?: number[];
  curve_preferences?: number[];
  ca_certs?: string[];
  disable_system_ca_pool?: boolean;
};

/** The service `tls` object as serverTlsSchema validated it. */
export type RawServerTls = RawTlsCommon & {
  keys?: { public_key: string; private_key: string }[];
  public_key?: string;
  private_key?: string;
  disabled?: boolean;
  prefer_server_cipher_suites?: boolean;
  enable_mtls?: boolean;
};

/** The service `client_tls` object as clientTlsSchema validated it. */
export type RawClientTls = RawTlsCommon & {
  allow_insecure_connections?: boolean;
  client_certs?: { certificate: string; private_key: string }[];
};

function version(v: string | undefined, fallback: NodeTlsVersion, at: string, problems: Problems): NodeTlsVersion {
  if (v === undefined) return fallback;
  const n = NODE_VERSION[v];
  // Deviation: KrakenD accepts TLS 1.0/1.1 (and silently reads unknown names as TLS 1.3);
  // Rampart refuses obsolete versions (RFC 8996) and unknown names (schema enum).
  if (!n) problems.add(at, `"${v}" is obsolete and refused (RFC 8996); use "TLS12" or "TLS13"`);
  return n ?? fallback;
}

function versions(raw: RawTlsCommon, base: string, defMin: NodeTlsVersion, problems: Problems): { min: NodeTlsVersion; max: NodeTlsVersion } {
  const min = version(raw.min_version, defMin, `${base}/min_version`, problems);
  const max = version(raw.max_version, 'TLSv1.3', `${base}/max_version`, problems);
  if (min === 'TLSv1.3' && max === 'TLSv1.2') problems.add(`${base}/max_version`, 'max_version is lower than min_version');
  return { min, max };
}

function suites(raw: RawTlsCommon, base: string, defaultCurves: string | undefined, problems: Problems): { ciphers: string; curves: string | undefined } {
  const c = cipherString(raw.cipher_suites);
  for (const p of c.problems) problems.add(`${base}/cipher_suites`, p);
  const k = curveString(raw.curve_preferences, defaultCurves);
  for (const p of k.problems) problems.add(`${base}/curve_preferences`, p);
  return { ciphers: c.ciphers, curves: k.curves };
}

function fileProblem(err: unknown, problems: Problems): void {
  if (err instanceof TlsFileError) problems.add(err.pointer, err.message);
  else problems.add('/tls', (err as Error).message);
}

export function normalizeServerTls(
  raw: RawServerTls | null | undefined,
  problems: Problems,
  warnings: string[],
  readFiles = true,
): ServerTlsOptions | undefined {
  if (raw === undefined) return undefined;
  if (raw === null || raw.disabled === true) {
    warnings.push('/tls: TLS is disabled: the listener speaks plain HTTP');
    return undefined;
  }
  const keys: CertKeyFiles[] = (raw.keys ?? []).map((k, i) => ({ certFile: k.public_key, keyFile: k.private_key, pointer: `/tls/keys/${i}` }));
  if (raw.public_key !== undefined || raw.private_key !== undefined) {
    if (raw.public_key === undefined || raw.private_key === undefined) problems.add('/tls', 'the legacy "public_key" and "private_key" go together');
    else {
      keys.push({ certFile: raw.public_key, keyFile: raw.private_key, pointer: '/tls' });
      warnings.push('/tls: legacy "public_key"/"private_key"; prefer "keys": [{"public_key", "private_key"}]');
    }
  }
  if (keys.length === 0)
    problems.add(
      '/tls/keys',
      'at least one certificate/key pair is required (KrakenD cannot start TLS without one either): declare "keys": [{"public_key": "…", "private_key": "…"}], or "disabled": true for plain HTTP',
    );
  // KrakenD's default: TLS 1.3 only; TLS 1.2 must be asked for with "min_version": "TLS12".
  const { min, max } = versions(raw, '/tls', 'TLSv1.3', problems);
  const { ciphers, curves } = suites(raw, '/tls', DEFAULT_SERVER_CURVES, problems);
  const enableMtls = raw.enable_mtls === true;
  // Deviation (docs/reference/auth-and-tls.md §8.1 note): client certificates are checked against `ca_certs`
  // only; the public system pool is added only when "disable_system_ca_pool": false is explicit.
  const useSystemCaPool = enableMtls && raw.disable_system_ca_pool === false;
  const caCerts: string[] = raw.ca_certs ?? [];
  if (enableMtls && caCerts.length === 0 && !useSystemCaPool)
    problems.add('/tls/ca_certs', 'enable_mtls needs at least one CA file to trust client certificates');
  if (useSystemCaPool) warnings.push('/tls/disable_system_ca_pool: false: any client certificate issued by a public CA is accepted for mTLS');
  if (!enableMtls && caCerts.length > 0) warnings.push('/tls/ca_certs: has no effect without "enable_mtls": true');
  if (raw.prefer_server_cipher_suites !== undefined) warnings.push('/tls/prefer_server_cipher_suites: has no effect (the server order is always preferred)');
  // suites() was given DEFAULT_SERVER_CURVES as the fallback, so `curves` is always set here.
  const out: ServerTlsOptions = {
    keys,
    minVersion: min,
    maxVersion: max,
    ciphers,
    ecdhCurve: curves ?? DEFAULT_SERVER_CURVES,
    enableMtls,
    caCerts,
    useSystemCaPool,
  };
  // `check --lint` reads no certificate or key file (readFiles false).
  if (keys.length > 0 && readFiles) {
    try {
      const m = loadServerTls(out);
      for (const c of m.outOfDate) warnings.push(`/tls: certificate ${c} is not valid now`);
    } catch (err) {
      fileProblem(err, problems);
    }
  }
  return out;
}

export function normalizeClientTls(
  raw: RawClientTls | undefined,
  rootInsecure: boolean,
  problems: Problems,
  warnings: string[],
  readFiles = true,
): { tls: UpstreamTlsOptions; insecure: boolean } {
  const r = raw ?? {};
  // Deviation: KrakenD raises the upstream minimum to TLS 1.3 as soon as `client_tls` exists
  // (a trap for TLS 1.2 backends); Rampart's default is TLS 1.2 with AEAD/forward-secret suites
  // only, with or without the block.
  const { min, max } = versions(r, '/client_tls', 'TLSv1.2', problems);
  const { ciphers, curves } = suites(r, '/client_tls', undefined, problems);
  const tls: UpstreamTlsOptions = {
    caCerts: r.ca_certs ?? [],
    useSystemCaPool: r.disable_system_ca_pool !== true,
    minVersion: min,
    maxVersion: max,
    ciphers,
    ecdhCurve: curves,
    clientCerts: (r.client_certs ?? []).map((c, i) => ({ certFile: c.certificate, keyFile: c.private_key, pointer: `/client_tls/client_certs/${i}` })),
  };
  if (!tls.useSystemCaPool && tls.caCerts.length === 0) problems.add('/client_tls/ca_certs', 'disable_system_ca_pool leaves no trusted CA: declare ca_certs');
  const insecure = rootInsecure || r.allow_insecure_connections === true;
  if (r.allow_insecure_connections === true) warnings.push('/client_tls/allow_insecure_connections: upstream TLS certificates are NOT verified (insecure)');
  if (readFiles) {
    try {
      upstreamConnectOptions(tls, insecure);
    } catch (err) {
      fileProblem(err, problems);
    }
  }
  return { tls, insecure };
}
