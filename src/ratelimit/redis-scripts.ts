// The Lua scripts run by Redis: one atomic check per request, one round trip (EVALSHA, with
// ioredis falling back to EVAL after a Redis restart flushed the script cache). Time comes from
// Redis (TIME), so gateways with skewed clocks still share one consistent bucket. Replies use
// the store contract: >= 0 admitted, < 0 refused with -value ms until a retry can succeed.

/**
 * GCRA (the token bucket as one timestamp). Rates so high that one interval is below the
 * precision of a millisecond timestamp (about 1e9/s) never fill the bucket: such a limit cannot
 * be reached anyway. The expiry is at least 1 ms (PX 0 is an error). KEYS[1] bucket; ARGV[1] ms per token; ARGV[2] burst
 * tolerance in ms (capacity x ms per token). The key expires when the bucket would be full again,
 * so idle clients cost Redis nothing.
 */
export const GCRA_LUA = `
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local nexttat = tat + interval
local debt = nexttat - now
if debt > tolerance then
  local retry = math.ceil(debt - tolerance)
  if retry < 1 then retry = 1 end
  return -retry
end
local ttl = math.ceil(debt)
if ttl < 1 then ttl = 1 end
redis.call('SET', KEYS[1], string.format('%.3f', nexttat), 'PX', ttl)
return math.floor((tolerance - debt) / interval)
`;

/**
 * Fixed-window quota. KEYS[1] counter of the current window (the caller appends the window
 * index); ARGV[1] max; ARGV[2] ms until the window ends. Refused requests are not counted.
 */
export const WINDOW_LUA = `
local max = tonumber(ARGV[1])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= max then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 1 then ttl = tonumber(ARGV[2]) end
  return -ttl
end
used = redis.call('INCR', KEYS[1])
if used == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return max - used
`;
