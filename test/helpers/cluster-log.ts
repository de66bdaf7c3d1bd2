// Reading a `--workers N` gateway's JSON access lines: which worker processes answered what.

/** pids of the workers whose access lines show `path` answered with `status`. */
export function servingPids(output: string, path: string, status: number): Set<number> {
  const pids = new Set<number>();
  for (const line of output.split('\n')) {
    try {
      const j = JSON.parse(line);
      if (j.msg === 'access' && j.path === path && j.status === status) pids.add(j.pid);
    } catch {
      /* not a log line */
    }
  }
  return pids;
}
