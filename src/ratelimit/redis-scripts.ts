// The Lua scripts run by Redis: one atomic check per call, one round trip (EVALSHA, with ioredis
// falling back to EVAL after a Redis restart flushed the script cache). Time comes from Redis
// (TIME), so gateways with skewed clocks still share one consistent bucket.
// A call asks for up to ARGV want units and is granted at most 1/divisor of what is left (at
// least 1): see lease-limiter.ts. Reply: g >= 1 units granted, or -ms until a retry can succeed.

/**
 * GCRA (the token bucket as one timestamp, the "theoretical arrival time"). KEYS[1] bucket;
 * ARGV: ms per unit, capacity x ms per unit, want, divisor. The key expires when the bucket is
 * full again, so idle clients cost Redis nothing. Rates so high that one unit is below the
 * precision of a millisecond timestamp (about 1e9/s) never empty the bucket: such a limit cannot
 * be reached anyway. The expiry is at least 1 ms (PX 0 is an error).
 */
export const GCRA_LUA = `
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local divisor = tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local room = tolerance - (tat - now)
local avail = math.floor(room / interval + 1e-9)
if avail < 1 then
  local retry = math.ceil(interval - room)
  if retry < 1 then retry = 1 end
  return -retry
end
local g = math.floor(avail / divisor)
if g < 1 then g = 1 end
if g > want then g = want end
local nexttat = tat + g * interval
local ttl = math.ceil(nexttat - now)
if ttl < 1 then ttl = 1 end
redis.call('SET', KEYS[1], string.format('%.3f', nexttat), 'PX', ttl)
return g
`;

/** Gives back `n` unspent units of a GCRA bucket. ARGV: ms per unit, n. */
export const GCRA_RELEASE_LUA = `
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
tat = tat - tonumber(ARGV[2]) * tonumber(ARGV[1])
if tat <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now))
end
return 1
`;

/**
 * Fixed-window quota. KEYS[1] counter of the current window (the caller appends the window
 * index); ARGV: max, ms until the window ends, want, divisor. Refused requests are not counted.
 */
export const WINDOW_LUA = `
local max = tonumber(ARGV[1])
local want = tonumber(ARGV[3])
local divisor = tonumber(ARGV[4])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local avail = max - used
if avail < 1 then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 1 then ttl = tonumber(ARGV[2]) end
  return -ttl
end
local g = math.floor(avail / divisor)
if g < 1 then g = 1 end
if g > want then g = want end
if redis.call('INCRBY', KEYS[1], g) == g then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return g
`;

/** Gives back `n` unspent units of a window counter (no-op once the window's key is gone). */
export const WINDOW_RELEASE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECRBY', KEYS[1], ARGV[1]) end
return 1
`;
