"""The Redis store's Lua scripts: one per round trip a message costs.

A message costs two round trips on an uncontended contact (`ENTER`, then `COMMIT`):

* `ENTER` takes a token of the contact's flood bucket, joins the contact's lock queue and,
  when its token is at the head, returns the encrypted session (and the replies kept for this
  message id, for a retry) in the same step. A waiter polls with the same script until its
  token is at the head.
* `COMMIT` checks that the token still holds the lock (the head of the queue: a holder that
  stalled past its lease and was taken for dead is refused, so two writers never both win),
  writes the session and the kept replies, and leaves the queue, in one step.

The pieces are Lua functions shared by every script (one mechanism per job): the clock
(`now_ms`, Redis's own, so every process agrees), the queue (`renew`, `join`, `head_state`,
see bot/store/locks.py for the design), and the flood bucket (`take_token`, see
bot/store/flood.py for the rule, which the in-memory buckets follow too).
"""

from __future__ import annotations

FUNCTIONS = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function renew(queue, leases, token, now, lease)
  if redis.call('HEXISTS', leases, token) == 1 then
    redis.call('HSET', leases, token, now + lease)
    redis.call('PEXPIRE', queue, lease * 4)
    redis.call('PEXPIRE', leases, lease * 4)
  end
end

local function join(queue, leases, token, now, lease)
  redis.call('HSET', leases, token, now + lease)
  redis.call('LREM', queue, 0, token)
  redis.call('RPUSH', queue, token)
  redis.call('PEXPIRE', queue, lease * 4)
  redis.call('PEXPIRE', leases, lease * 4)
end

-- 1: the token holds the lock; 0: it waits; -1: it is in the queue no more (taken for dead).
-- Dead heads (lease run out) are removed on the way.
local function head_state(queue, leases, token, now)
  while true do
    local head = redis.call('LINDEX', queue, 0)
    if not head then return -1 end
    if head == token then
      if redis.call('HEXISTS', leases, token) == 0 then
        redis.call('LPOP', queue)
        return -1
      end
      return 1
    end
    local expires = tonumber(redis.call('HGET', leases, head) or '0')
    if expires > now then
      if redis.call('HEXISTS', leases, token) == 0 then return -1 end
      return 0
    end
    redis.call('LPOP', queue)
    redis.call('HDEL', leases, head)
  end
end

-- 0 ok, 1 warn (the first message over the limit), 2 drop. Told once per flood: `warned` is
-- cleared only when the bucket is full again (the flood is over).
local function take_token(key, burst, rate, now)
  local v = redis.call('HMGET', key, 'tokens', 'at', 'warned')
  local tokens = tonumber(v[1]) or burst
  local at = tonumber(v[2]) or now
  tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
  local warned, verdict = v[3] or '0', 0
  if tokens >= burst then warned = '0' end
  if tokens >= 1 then
    tokens = tokens - 1
  elseif warned == '1' then
    verdict = 2
  else
    warned, verdict = '1', 1
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', now, 'warned', warned)
  redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
  return verdict
end
"""

#: KEYS: flood bucket. ARGV: burst, tokens per second.
FLOOD = (
    FUNCTIONS
    + """
return take_token(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), now_ms())
"""
)

#: KEYS: queue, leases. ARGV: token, lease ms. The renewal of a holder's or waiter's lease.
POLL = (
    FUNCTIONS
    + """
local now = now_ms()
renew(KEYS[1], KEYS[2], ARGV[1], now, tonumber(ARGV[2]))
return head_state(KEYS[1], KEYS[2], ARGV[1], now)
"""
)

#: KEYS: queue, leases. ARGV: token. Removes the token wherever it is (head: the lock passes
#: on; elsewhere: a waiter gave up).
LEAVE = """
redis.call('LREM', KEYS[1], 0, ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""

#: KEYS: queue, leases, session, kept replies, flood bucket.
#: ARGV: token, lease ms, join (1: first call; 0: a waiter's poll), load (1/0), message tag
#: ('' for none), flood burst (0: no flood check), flood rate.
#: Returns {flood verdict} when flooded (not in line), else {0, state, session, replies}:
#: state as `head_state`; session and replies only when the state is 1 (replies only when
#: they were kept for this message tag).
ENTER = (
    FUNCTIONS
    + """
local queue, leases, token, lease = KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2])
local now = now_ms()
if ARGV[3] == '1' then
  local burst = tonumber(ARGV[6])
  if burst > 0 then
    local verdict = take_token(KEYS[5], burst, tonumber(ARGV[7]), now)
    if verdict ~= 0 then return {verdict} end
  end
  join(queue, leases, token, now, lease)
else
  renew(queue, leases, token, now, lease)
end
local state = head_state(queue, leases, token, now)
if state ~= 1 or ARGV[4] ~= '1' then return {0, state} end
local session = redis.call('GET', KEYS[3])
local replies = false
local tag = ARGV[5]
if tag ~= '' then
  local kept = redis.call('GET', KEYS[4])
  if kept and string.sub(kept, 1, #tag) == tag then replies = kept end
end
return {0, 1, session, replies}
"""
)

#: KEYS: queue, leases, session, kept replies.
#: ARGV: token, release (1/0), session blob ('' for none), session ttl ms, replies ('' for
#: none), replies ttl ms, lease ms.
#: Returns 1 when written; 0 when the token no longer holds the lock: nothing is written (and,
#: when releasing, the token leaves the queue wherever it is).
COMMIT = (
    FUNCTIONS
    + """
local queue, leases, token = KEYS[1], KEYS[2], ARGV[1]
local holds = redis.call('LINDEX', queue, 0) == token
  and redis.call('HEXISTS', leases, token) == 1
if holds then
  if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4]) end
  if ARGV[5] ~= '' then redis.call('SET', KEYS[4], ARGV[5], 'PX', ARGV[6]) end
end
if ARGV[2] == '1' then
  redis.call('LREM', queue, 0, token)
  redis.call('HDEL', leases, token)
elseif holds then
  renew(queue, leases, token, now_ms(), tonumber(ARGV[7]))
end
if holds then return 1 end
return 0
"""
)
