-- Exact sliding log: a sorted set of admission times (microseconds of Redis server time).
-- KEYS[1] zset key; ARGV[1] window in microseconds; ARGV[2] limit; ARGV[3] cost
-- Returns {allowed, remaining, retry_after_us, reset_us}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count + cost > limit then
  local oldest = redis.call('ZRANGE', KEYS[1], count + cost - limit - 1, count + cost - limit - 1, 'WITHSCORES')
  local retry = window
  if oldest[2] then retry = tonumber(oldest[2]) + window - now end
  return {0, math.max(0, limit - count), retry, retry}
end
for i = 1, cost do
  -- the count makes members unique even for admissions within one microsecond
  redis.call('ZADD', KEYS[1], now, now .. '-' .. (count + i))
end
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
return {1, limit - count - cost, 0, window}
