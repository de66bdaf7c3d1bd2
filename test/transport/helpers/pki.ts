// Test certificates made with the openssl CLI (ECDSA P-256): CAs, server certificates (SAN DNS
// and IP) and client certificates (clientAuth EKU), in a fresh temp dir per call of makePki().
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Ca {
  name: string;
  certFile: string;
  keyFile: string;
  cert: string;
}

export interface Leaf {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export class Pki {
  readonly dir = mkdtempSync(join(tmpdir(), 'rampart-pki-'));
  private n = 0;

  ca(name: string): Ca {
    const keyFile = join(this.dir, `${name}-ca.key`);
    const certFile = join(this.dir, `${name}-ca.pem`);
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      `/CN=${name} test CA`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    return { name, certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
  }

  /** A leaf signed by `ca`. usage 'server' (serverAuth, SANs) or 'client' (clientAuth). */
  issue(ca: Ca, cn: string, opts: { usage: 'server' | 'client'; dns?: string[]; ips?: string[]; o?: string }): Leaf {
    const base = join(this.dir, `leaf-${++this.n}`);
    const keyFile = `${base}.key`;
    const certFile = `${base}.pem`;
    const ext = `${base}.ext`;
    const san = [...(opts.dns ?? []).map((d) => `DNS:${d}`), ...(opts.ips ?? []).map((i) => `IP:${i}`)];
    writeFileSync(
      ext,
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature',
        `extendedKeyUsage=${opts.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
        ...(san.length ? [`subjectAltName=${san.join(',')}`] : []),
      ].join('\n'),
    );
    openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      `${base}.csr`,
      '-subj',
      `${opts.o ? `/O=${opts.o}` : ''}/CN=${cn}`,
    ]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-CAcreateserial',
      '-out',
      certFile,
      '-days',
      '2',
      '-sha256',
      '-extfile',
      ext,
    ]);
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  }

  /** A self-signed server certificate (trusted by nobody). */
  selfSigned(cn: string): Leaf {
    const base = join(this.dir, `self-${++this.n}`);
    openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=DNS:${cn},IP:127.0.0.1`,
    ]);
    return { certFile: `${base}.pem`, keyFile: `${base}.key`, cert: readFileSync(`${base}.pem`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') };
  }
}
