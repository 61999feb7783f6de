-- Token bucket as GCRA: one key holds the theoretical arrival time (TAT) in microseconds of
-- Redis server time, so every replica shares one clock.
-- KEYS[1] bucket key; ARGV[1] microseconds per token; ARGV[2] capacity; ARGV[3] cost
-- Returns {allowed, remaining, retry_after_us, reset_us}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
local allow_at = new_tat - interval * capacity
if allow_at > now then
  local remaining = math.floor((now - (tat - interval * capacity)) / interval)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, allow_at - now, tat - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1000)
local remaining = math.floor((now - (new_tat - interval * capacity)) / interval)
return {1, remaining, 0, new_tat - now}
