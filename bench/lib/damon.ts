// DAMON, the kernel's data access monitor, when the machine runs it (here: a host-configured
// kdamond with `paddr` operations, sampling every 500 ms, and a `pageout` scheme). Each sampling
// pass ran ~4 ms on one CPU without yielding it (perf sched, during a full bench run); a candidate or
// the load generator that was on that CPU stopped for as long, twice a second, and on a 2-CPU machine
// that lands in the fixed-rate p99 of every single-process row. `--pause-damon` switches the
// monitors off for the run and back on when the bench exits, on every exit path (opt-in: the bench
// never changes a machine setting unasked).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ADMIN = '/sys/kernel/mm/damon/admin/kdamonds';

export interface DamonInfo {
  /** kdamonds that were running, as "<index>: <ops> sample <us> µs[, schemes]". */
  running: string[];
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

function kdamondDirs(): string[] {
  try {
    return readdirSync(ADMIN)
      .filter((d) => /^\d+$/.test(d))
      .map((d) => join(ADMIN, d));
  } catch {
    return [];
  }
}

/** What DAMON runs on this machine (empty when it does not, or is not readable). */
export function damonInfo(): DamonInfo {
  const running: string[] = [];
  for (const dir of kdamondDirs()) {
    if (read(join(dir, 'state')) !== 'on') continue;
    const ctx = join(dir, 'contexts', '0');
    const ops = read(join(ctx, 'operations')) || '?';
    const sample = read(join(ctx, 'monitoring_attrs', 'intervals', 'sample_us')) || '?';
    const actions: string[] = [];
    for (let i = 0; ; i++) {
      const a = read(join(ctx, 'schemes', String(i), 'action'));
      if (!a) break;
      actions.push(a);
    }
    running.push(`kdamond ${dir.split('/').pop()}: ${ops}, sample every ${sample} µs${actions.length ? `, schemes: ${actions.join(', ')}` : ''}`);
  }
  return { running };
}

/** Switches every running kdamond off; returns a synchronous restore (safe to call twice). */
export function pauseDamon(): { paused: string[]; restore: () => void } {
  const paused: string[] = [];
  for (const dir of kdamondDirs()) {
    if (read(join(dir, 'state')) !== 'on') continue;
    writeFileSync(join(dir, 'state'), 'off');
    paused.push(dir);
  }
  let restored = false;
  return {
    paused,
    restore: () => {
      if (restored) return;
      restored = true;
      for (const dir of paused) {
        try {
          writeFileSync(join(dir, 'state'), 'on');
        } catch (err) {
          // Synchronous (it also runs in the 'exit' handler): say it, so nobody is left without DAMON unknowingly.
          process.stderr.write(`bench: could not switch DAMON back on (${dir}/state): ${(err as Error).message}\n`);
        }
      }
    },
  };
}
