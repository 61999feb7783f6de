-- Sliding window, two-counter approximation: one hash per key holds the counts of the current and
-- previous fixed windows (fields named by window index), weighted by how much of the previous
-- window still overlaps the sliding one. One declared key, so it is Cluster-safe.
-- KEYS[1] hash key; ARGV[1] window in microseconds; ARGV[2] limit; ARGV[3] cost
-- Returns {allowed, remaining, retry_after_us, reset_us}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local current = math.floor(now / window)
local elapsed = now - current * window
local cur = tonumber(redis.call('HGET', KEYS[1], tostring(current)) or '0')
local prev = tonumber(redis.call('HGET', KEYS[1], tostring(current - 1)) or '0')
local weighted = prev * (window - elapsed) / window + cur
local reset = window - elapsed
if weighted + cost > limit then
  local retry = reset
  if prev > 0 and cur + cost <= limit then
    -- wait until enough of the previous window has slid out
    local needed = (weighted + cost - limit) * window / prev
    retry = math.ceil(needed)
  end
  local remaining = math.floor(limit - weighted)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, retry, reset}
end
redis.call('HINCRBY', KEYS[1], tostring(current), cost)
redis.call('HDEL', KEYS[1], tostring(current - 2))
redis.call('PEXPIRE', KEYS[1], math.ceil(2 * window / 1000) + 1000)
return {1, math.floor(limit - weighted - cost), 0, reset}
