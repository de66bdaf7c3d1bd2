// nginx configs for the origin and the reverse-proxy candidate. Each instance gets its own prefix
// directory (pid, logs, temp paths) so the system nginx and its files are never touched.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A fixed JSON object of exactly `size` bytes (ASCII, no `'` or `$`, safe inside an nginx `return`). */
export function originBody(size = 500): string {
  const base = {
    id: 1042,
    name: 'rampart-bench',
    active: true,
    score: 98.6,
    tags: ['alpha', 'beta', 'gamma'],
    owner: { id: 42, login: 'bench', email: 'bench@example.com' },
    items: [
      { sku: 'A-100', qty: 1, price: 9.99 },
      { sku: 'B-200', qty: 3, price: 19.5 },
      { sku: 'C-300', qty: 2, price: 4.25 },
    ],
    description: '',
  };
  const without = JSON.stringify(base).length;
  base.description = 'x'.repeat(Math.max(0, size - without));
  return JSON.stringify(base);
}

function common(dir: string, workers: number): string {
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}daemon off;
master_process on;
worker_processes ${workers};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 8192; multi_accept on; }
`;
}

function httpCommon(dir: string): string {
  const tmp = join(dir, 'tmp');
  return `  access_log off;
  client_body_temp_path ${join(tmp, 'body')};
  proxy_temp_path ${join(tmp, 'proxy')};
  fastcgi_temp_path ${join(tmp, 'fastcgi')};
  uwsgi_temp_path ${join(tmp, 'uwsgi')};
  scgi_temp_path ${join(tmp, 'scgi')};
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  server_tokens off;
`;
}

/** Origin: returns the fixed JSON body on every path but /v1/ (an OTLP/HTTP sink), /large (a
 * static file, when `largeFile` is given: the `large` download) and /upload (reads a request body
 * of up to 64 MiB whole, then answers: the `large` upload). */
export function writeOriginConf(dir: string, port: number, workers: number, body: string, largeFile?: string): string {
  mkdirSync(dir, { recursive: true });
  const conf = `${common(dir, workers)}http {
${httpCommon(dir)}  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      default_type application/json;
      return 200 '${body}';
    }
    # The json+cache row: the same body, cacheable for a minute (qos/http-cache).
    location /cached/ {
      default_type application/json;
      add_header Cache-Control "max-age=60";
      return 200 '${body}';
    }
    # The OTLP/HTTP sink of the otel row: what a collector answers (200, an empty protobuf
    # Export*ServiceResponse), the request body discarded unread.
    location /v1/ {
      default_type application/x-protobuf;
      return 200 '';
    }
${
  largeFile
    ? `    location = /large {
      default_type application/octet-stream;
      alias ${largeFile};
    }
`
    : ''
}    # The upload: nginx reads the whole body (in memory, proxy_request_buffering) before passing it
    # on to /drop, so the answer comes after the last byte, as from a backend that uses the body
    # (a bare \`return\` answers at once and leaves the client writing into a closed request).
    location = /upload {
      client_max_body_size 64m;
      client_body_buffer_size 64m;
      proxy_pass http://127.0.0.1:${port}/drop;
    }
    location = /drop {
      client_max_body_size 64m;
      default_type application/json;
      return 200 '{"ok":true}';
    }
  }
}
`;
  const path = join(dir, 'nginx.conf');
  writeFileSync(path, conf);
  return path;
}

/** Reverse proxy to the origin with upstream keepalive; with `tls`, TLS 1.3 termination on the listener. */
export function writeProxyConf(dir: string, port: number, workers: number, originPort: number, tls?: { cert: string; key: string }): string {
  const listen = tls
    ? `listen 127.0.0.1:${port} ssl backlog=4096;
    ssl_certificate ${tls.cert};
    ssl_certificate_key ${tls.key};
    ssl_protocols TLSv1.3;
    ssl_session_cache shared:SSL:10m;`
    : `listen 127.0.0.1:${port} backlog=4096;`;
  mkdirSync(dir, { recursive: true });
  const conf = `${common(dir, workers)}http {
${httpCommon(dir)}  upstream origin {
    server 127.0.0.1:${originPort};
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    ${listen}
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  const path = join(dir, 'nginx.conf');
  writeFileSync(path, conf);
  return path;
}

/** Arguments to run nginx in the foreground on a generated config, with its own prefix and error log. */
export function nginxArgs(dir: string, confPath: string): string[] {
  return ['-p', dir + '/', '-e', join(dir, 'error.log'), '-c', confPath];
}
