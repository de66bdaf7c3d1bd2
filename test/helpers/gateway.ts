// Starts the real gateway (bin/rampart, a separate process) on a free port for a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'rampart');

export interface RunningGateway {
  port: number;
  url: string;
  proc: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function writeConfig(config: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-test-'));
  const file = join(dir, 'rampart.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export async function startGateway(
  config: object,
  opts: { workers?: number; debug?: boolean; env?: Record<string, string>; file?: string } = {},
): Promise<RunningGateway> {
  // `file`: run that file as it is (a flexible-config template, say) instead of writing `config`.
  const file = opts.file ?? writeConfig(config);
  const args = [BIN, 'run', '-c', file, '--port', '0', '--workers', String(opts.workers ?? 1)];
  if (opts.debug) args.push('-d');
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RAMPART_LOG_LEVEL: 'debug', RAMPART_LOG_BUFFER: '0', ...opts.env },
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${out}`)), 10_000);
    const check = () => {
      for (const line of out.split('\n')) {
        if (!line.includes('rampart listening')) continue;
        // JSON lines (the default, logstash), or the text formats of telemetry/logging.
        const text = /\bport=(\d+)\b/.exec(line);
        if (text) {
          clearTimeout(timer);
          return resolve(Number(text[1]));
        }
        try {
          const p = JSON.parse(line).port;
          if (typeof p !== 'number') continue;
          clearTimeout(timer);
          return resolve(p);
        } catch {
          /* partial line */
        }
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${out}`));
    });
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    proc,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        // exitCode stays null when the process was ended by a signal: check both, or a second
        // stop() would wait for an 'exit' event that has already been emitted.
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        proc.once('exit', (code) => {
          clearTimeout(t);
          resolve(code);
        });
        proc.kill(signal);
      }),
  };
}
