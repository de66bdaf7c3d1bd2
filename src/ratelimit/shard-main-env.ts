// The environment variable telling a shard process (shard-main.ts) its socket path; in its own
// module so that the primary can name it without loading the shard's entry (which runs on load).
export const SHARD_PATH_ENV = 'RAMPART_LIMIT_SHARD_PATH';
