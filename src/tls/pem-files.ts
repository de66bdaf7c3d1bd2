// Reading certificate, key and CA files. Every failure names the JSON pointer of the field, so a
// bad path stops startup with the exact place to fix (fail closed: KrakenD logs unreadable CA
// files and skips them; Rampart refuses to start).
import { readFileSync } from '../core/config-files.js';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

export class TlsFileError extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
  }
}

function read(path: string, pointer: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new TlsFileError(pointer, `cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The PEM blocks of one kind in a file, in order. */
function blocks(pem: string, label: string): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g');
  return pem.match(re) ?? [];
}

/** A certificate (chain) file: text plus the parsed leaf. */
export function readCertificate(path: string, pointer: string): { pem: string; leaf: X509Certificate } {
  const pem = read(path, pointer);
  const certs = blocks(pem, 'CERTIFICATE');
  if (certs.length === 0) throw new TlsFileError(pointer, `"${path}" holds no PEM certificate`);
  try {
    return { pem, leaf: new X509Certificate(certs[0]) };
  } catch (err) {
    throw new TlsFileError(pointer, `"${path}": invalid certificate (${(err as Error).message})`);
  }
}

export function readPrivateKey(path: string, pointer: string): { pem: string; key: KeyObject } {
  const pem = read(path, pointer);
  try {
    return { pem, key: createPrivateKey(pem) };
  } catch (err) {
    throw new TlsFileError(pointer, `"${path}": invalid or encrypted private key (${(err as Error).message})`);
  }
}

/** A CA bundle: every certificate in the file, each checked to parse. */
export function readCaBundle(path: string, pointer: string): string[] {
  const pem = read(path, pointer);
  const certs = blocks(pem, 'CERTIFICATE');
  if (certs.length === 0) throw new TlsFileError(pointer, `"${path}" holds no PEM certificate`);
  for (const c of certs) {
    try {
      new X509Certificate(c);
    } catch (err) {
      throw new TlsFileError(pointer, `"${path}": invalid CA certificate (${(err as Error).message})`);
    }
  }
  return certs;
}

/** Certificate + key that belong together (checked now, not at the first handshake). */
export function readPair(certFile: string, keyFile: string, pointer: string): { cert: string; key: string; leaf: X509Certificate; keyType: string } {
  const { pem: cert, leaf } = readCertificate(certFile, pointer);
  const { pem: key, key: keyObj } = readPrivateKey(keyFile, pointer);
  if (!leaf.checkPrivateKey(keyObj)) throw new TlsFileError(pointer, `private key "${keyFile}" does not match certificate "${certFile}"`);
  return { cert, key, leaf, keyType: keyObj.asymmetricKeyType ?? 'unknown' };
}
