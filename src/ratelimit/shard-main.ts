// Entry of a rate-limit coordinator shard process (dist/rl-shard.js), forked by the primary of
// `rampart run --workers N` when the node has more than one shard (shard-supervisor.ts). It owns
// the buckets of its keys and nothing else: no config, no logger, no HTTP.
//
// Lifetime: it ignores SIGINT/SIGTERM (a process-group signal must not take the buckets away
// while the workers drain) and exits when its IPC channel to the primary closes, which happens
// however the primary ends, kill -9 included.
import { unlinkSync } from 'node:fs';
import { SHARD_PATH_ENV } from './shard-main-env.js';
import { startShardServer } from './shard-server.js';

const path = process.env[SHARD_PATH_ENV];
if (!path || !process.send) {
  process.stderr.write('rampart: the rate-limit shard is started by `rampart run --workers N`, not by hand\n');
  process.exit(2);
}
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.on('disconnect', () => process.exit(0));
try {
  unlinkSync(path); // left behind by a predecessor killed with -9
} catch {
  // none
}
startShardServer(path).then(
  () => process.send?.({ shard: 'listening' }),
  (err: Error) => {
    process.stderr.write(`rampart: rate-limit shard cannot listen on ${path}: ${err.message}\n`);
    process.exit(2);
  },
);
