// `telemetry/logging` `syslog: true`: application lines to the local syslog socket, RFC 5424,
// facility from `syslog_facility`, severity from each line's level. Node cannot send Unix
// datagrams itself, so one long-lived util-linux `logger` process does it: lines go to its stdin
// with their priority in front (`--prio-prefix`), one write per line, no process per line.
// Bounded: if `logger` falls behind by more than 1 MiB, lines are dropped and the count is said
// on stdout once a minute, so a stalled syslog daemon never grows the gateway's memory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const MAX_PENDING = 1 << 20;

export interface SyslogSink {
  write(priority: number, text: string): void;
  close(): void;
}

/** The socket: /dev/log unless RAMPART_SYSLOG_SOCKET names another (tests, chroots). */
export function syslogSocket(): string {
  return process.env.RAMPART_SYSLOG_SOCKET || '/dev/log';
}

/** Throws a one-line reason when syslog cannot work here (checked when `run` starts). */
export function openSyslog(tag: string, onDrop: (n: number) => void): SyslogSink {
  const socket = syslogSocket();
  if (!existsSync(socket)) throw new Error(`telemetry/logging: syslog is true but there is no syslog socket at ${socket} (is a syslog daemon running?)`);
  if (spawnSync('logger', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('telemetry/logging: syslog needs the util-linux `logger` command (Debian package bsdutils)');
  }
  // RFC 5424 APP-NAME: printable US-ASCII, no spaces, at most 48 characters.
  const appName = (tag.replace(/[^!-~]/g, '_') || 'rampart').slice(0, 48);
  const child: ChildProcess = spawn('logger', ['--rfc5424', '--prio-prefix', '-t', appName, '-u', socket, '--socket-errors=on'], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.unref();
  const stdin = child.stdin;
  if (!stdin) throw new Error('telemetry/logging: syslog: the logger process has no stdin (invariant: spawned with stdio "pipe")');
  (stdin as unknown as { unref?: () => void }).unref?.();
  stdin.on('error', () => undefined);
  let dropped = 0;
  let lastReport = 0;
  return {
    write(priority, text) {
      if (stdin.destroyed || stdin.writableLength > MAX_PENDING) {
        dropped++;
        const now = Date.now();
        if (now - lastReport > 60_000) {
          lastReport = now;
          onDrop(dropped);
          dropped = 0;
        }
        return;
      }
      stdin.write(`<${priority}>${text}\n`);
    },
    close() {
      stdin.end();
    },
  };
}
