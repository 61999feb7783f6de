-- Fixed window aligned on Redis server time: one counter per key and window, expiring with it.
-- KEYS[1] counter key; ARGV[1] window in microseconds; ARGV[2] limit; ARGV[3] cost
-- Returns {allowed, remaining, retry_after_us, reset_us}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local current = math.floor(now / window)
local reset = (current + 1) * window - now
local field = tostring(current)
local count = tonumber(redis.call('HGET', KEYS[1], field) or '0')
if count + cost > limit then
  return {0, math.max(0, limit - count), reset, reset}
end
redis.call('HINCRBY', KEYS[1], field, cost)
redis.call('HDEL', KEYS[1], tostring(current - 1))
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
return {1, limit - count - cost, 0, reset}
