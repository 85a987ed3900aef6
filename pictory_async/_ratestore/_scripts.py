"""The Redis store's Lua scripts: ACQUIRE before each request, REPORT after each 429, PEEK.

Each runs atomically on one hash per key, with Redis's ``TIME`` as the clock (a ``now``
argument, in milliseconds, replaces it in tests). Times are milliseconds, rates
requests/second. The hash's fields:

- ``until``: the fleet's cool-down deadline; ``tat``: the GCRA's next free send time.
- ``rate``: the fleet's paced rate (absent until the first event with successes to go
  by), ``max``: the rate it climbs back to, ``k``: seconds of the climb's plateau,
  ``from``: when the climb began; ``gen``: the throttling events so far.
- ``okr``, ``okt``, ``oks``: the fleet's successes per second (an exponentially
  weighted average over ``TAU`` ms, last updated at ``okt``, measured since ``oks``).
- ``st``: when the fleet started; ``qn``: its bookings since the last event; ``q``: the
  quota per pause it learned (0: none); ``qp``: its last probe past the quota.

ACQUIRE counts the successes the caller hands over, then: inside the cool-down, it
answers the time left, unless the caller says the pause is **lifted** (a request it sent
after its refused one went through, as the local throttle lifts its own pause; from a
caller at most one event behind): then the pause ends for the whole fleet, and the
climb and the measure start from now; with a rate, it books the send when the GCRA's time has come
(``tat`` moves one interval on, from at most ``SLACK`` ms ago: a caller woken late by
a busy event loop costs the fleet no slot, and an idle fleet gains no burst beyond
``SLACK``), else answers the wait (the callers already told to
wait for that time go first, an interval apart: ``wt``, ``wq``, so a fleet's waiters
do not all ask again for each slot), and the rate climbs along a
cubic, as the local estimator's does (``_throttle/_estimator``), since the pace binds;
at twice the last maximum a new climb starts from there (after a long calm the rate
doubles per climb, it does not leap).
A cold fleet (no event yet) is paced too, from ``START_RATE``, growing e-fold every
``START_GROW`` ms: its processes' own slow starts would together send several times
what one would before the first 429 comes back (against a quota per window, most of
them refused). Past ``START_MAX`` without an event, the fleet is not paced at all.
With a quota per pause learned (below), the fleet books at most ``q`` after each pause,
then one probe per ``PROBE`` ms: the window refuses it, and its ``Retry-After`` is the
next reset; a probe let through (the quota grew) is followed by another.
Nothing is reserved: a caller that never comes back holds nothing (the next one finds
its time passed, and goes; a booking it never sent counts in the quota once, as if it
went through). ACQUIRE also says whether the fleet is paced at all (a rate, a start
pace or a pause); when it is not, the caller may send without asking for a moment.

REPORT extends the cool-down to ``now + pause``. When the refused request was booked in
the current generation, it is a new event: the generation goes up by one and the rate
is cut once, to ``BETA`` times what the whole fleet got through (its successes per
second, never above the rate that was just refused; a measure younger than ``MIN_AGE``
after a pause, of fewer than ``MIN_SAMPLES`` successes, says little, so the refused rate
stands for it). When the last event's pause was waited out (not lifted) and took
under half the cycle since that event, the cut is from no more than the whole cycle's
successes per second, the pause counted: a bucket that refilled while the fleet waited
lets a burst through, and the short measure would take the burst for the limit (``ev``:
when the event came, ``pz``: its pause, ``cnt``: successes since, ``lf``: lifted). A
longer pause is a quota that resets (a window), whose bursts the fleet keeps. A new
event after such a pause (at least ``QUOTA_PAUSE``, waited out, at least half the
cycle), or the first event of a fleet paced since its start, with a pause of at least
``QUOTA_PAUSE`` itself, sets the quota ``q`` to the bookings since the last event, one
less for each 429 of it (every send was booked: what was not refused went through);
any other new event clears it. Later 429s of the same
event carry the old generation and only extend the cool-down. Bookings made before the
pause are void, and the fleet's rate is measured afresh from its end; the climb counts
from its end too (a pause extended later holds the climb back).

Both set the key to expire after ``TTL`` of idle time. PEEK only reads how long the
fleet's pause has left, for a process waiting out its own copy of it.
"""

from __future__ import annotations

import math
from typing import Final

__all__ = [
    "ACQUIRE",
    "BETA",
    "FEW_SAMPLES",
    "MAX_PLATEAU",
    "MIN_AGE",
    "MIN_PLATEAU",
    "MIN_RATE",
    "MIN_SAMPLES",
    "PEEK",
    "PLATEAU",
    "PROBE",
    "QUOTA_PAUSE",
    "REPORT",
    "SLACK",
    "START_FOR",
    "START_GROW",
    "START_MAX",
    "START_RATE",
    "TAU",
]

BETA: Final = 0.85  # the share of what the fleet got through that it paces at after an event
MIN_RATE: Final = 0.5  # requests/second, the floor of the shared rate
TAU: Final = 1000.0  # ms: the fleet's success rate is averaged over about this long
MIN_AGE: Final = 250.0  # ms: a younger measure of the fleet's rate is not trusted
PLATEAU: Final = 10.0  # the climb's plateau lasts this many times the event's pause...
MIN_PLATEAU: Final = 1.0  # ...at least this many seconds (also when few successes were seen)
MAX_PLATEAU: Final = 2.0  # ...and at most this many (the fleet climbs back within it)
FEW_SAMPLES: Final = 5  # fewer successes measured than this: the cut is a guess
MIN_SAMPLES: Final = 20  # a measure younger than MIN_AGE is trusted from this many successes
SLACK: Final = 50.0  # ms: a caller this late to its slot loses the fleet no slot
QUOTA_PAUSE: Final = 2000.0  # ms: pauses at least this long may reset a quota (a window)
PROBE: Final = 100.0  # ms: once a pause's quota is spent, one booking per this long
START_RATE: Final = 50.0  # requests/second a cold fleet is paced at first...
START_GROW: Final = 300.0  # ms: ...growing e-fold in this long (doubling in about 210 ms)...
START_MAX: Final = 2000.0  # ...until the first event, or this rate (then no pace at all)
START_FOR: Final = START_GROW * math.log(START_MAX / START_RATE)  # ms: the start pace lasts

_PRELUDE = """
local key = KEYS[1]
local now = nil
if ARGV[NOW] then now = tonumber(ARGV[NOW]) end
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local s = {}
local h = redis.call('HGETALL', key)
for i = 1, #h, 2 do s[h[i]] = tonumber(h[i + 1]) end
local function count(n)
  if not s.oks then s.oks = now end
  local okt = s.okt or now
  local dt = now - okt
  if dt < 0 then dt = 0 end
  s.okr = (s.okr or 0) * math.exp(-dt / TAU) + n * 1000 / TAU
  s.cnt = (s.cnt or 0) + n
  if now > okt then s.okt = now else s.okt = okt end
end
local function save(ttl)
  local out = {}
  for field, value in pairs(s) do
    out[#out + 1] = field
    out[#out + 1] = tostring(value)
  end
  redis.call('HSET', key, unpack(out))
  redis.call('PEXPIRE', key, ttl)
end
"""

ACQUIRE: Final = (
    _PRELUDE.replace("NOW", "4").replace("TAU", str(TAU))
    + f"""
-- ARGV: successes, ttl ms, lift (a generation, or -1), [now ms]
count(tonumber(ARGV[1]))
local wait = 0
local pause_until = s['until'] or 0
if now < pause_until and tonumber(ARGV[3]) + 1 >= (s.gen or 0) and tonumber(ARGV[3]) >= 0 then
  -- a caller saw a request sent after a refused one go through: the pause is over
  pause_until = now
  s['until'] = now
  s.lf = 1
  s.tat = now
  s.okt = now
  s.oks = now
  if s.from then s.from = now end
end
local pace = s.rate
local starting = false
if not pace and (s.gen or 0) == 0 then
  -- a cold fleet: paced from START_RATE, growing, until the first event tells the limit
  if not s.st then s.st = now end
  if now - s.st < {START_FOR!r} then
    pace = {START_RATE} * math.exp((now - s.st) / {START_GROW})
    starting = true
  end
end
if now < pause_until then
  wait = pause_until - now
elseif pace then
  local tat = s.tat or now
  local spent = (s.q or 0) > 0 and (s.qn or 0) >= s.q
  if spent and (s.qp or 0) + {PROBE} > now then
    -- this pause's quota is booked: one probe per PROBE ms, until the API refuses one
    wait = (s.qp or 0) + {PROBE} - now
  elseif tat > now then
    -- the callers already told to wait for this slot go first, an interval apart
    if s.wt ~= tat then
      s.wt = tat
      s.wq = 0
    end
    wait = tat - now + s.wq * 1000 / pace
    s.wq = s.wq + 1
    if not starting then
      local t = (now - (s.from or now)) / 1000
      local k = s.k or {MIN_PLATEAU}
      local cubic = s.max * (1 + (1 - {BETA}) / (k * k * k) * (t - k) * (t - k) * (t - k))
      if cubic > 2 * s.max then
        cubic = 2 * s.max
        s.max = cubic
        s.from = now
        s.k = {MIN_PLATEAU}
      end
      if cubic > s.rate then s.rate = cubic end
    end
  else
    if tat < now - {SLACK} then tat = now - {SLACK} end
    s.tat = tat + 1000 / pace
    s.qn = (s.qn or 0) + 1
    if spent then s.qp = now end
  end
end
save(tonumber(ARGV[2]))
local paced = 0
if pace or now < pause_until then paced = 1 end
return {{tostring(wait), s.gen or 0, paced}}
"""
)

REPORT: Final = (
    _PRELUDE.replace("NOW", "5").replace("TAU", str(TAU))
    + f"""
-- ARGV: generation, pause ms, successes, ttl ms, [now ms]
count(tonumber(ARGV[3]))
local gen = s.gen or 0
local pause = tonumber(ARGV[2])
if now + pause > (s['until'] or 0) then s['until'] = now + pause end
if s.from and s.from < s['until'] then s.from = s['until'] end
if tonumber(ARGV[1]) >= gen then
  gen = gen + 1
  s.gen = gen
  -- the last pause, waited out and long, reset a quota the fleet has booked since
  -- (paced: every send was booked): what got through of it is the quota per pause
  s.q = 0
  local reset = s.rate and s.ev and (s.lf or 0) == 0 and (s.pz or 0) >= {QUOTA_PAUSE}
    and (s.pz or 0) >= (now - s.ev) / 2
  -- or the first event, of a fleet paced since its start (every send was booked)
  local first = gen == 1 and s.st and now - s.st < {START_FOR!r}
  if (reset or first) and s['until'] - now >= {QUOTA_PAUSE} and (s.qn or 0) > 1 then
    s.q = s.qn
  end
  s.qn = 0
  local age = now - s.oks
  local measured = nil
  if age > 0 and s.okr > 0 then measured = s.okr / (1 - math.exp(-age / {TAU})) end
  local allowed = measured
  local young = age < {MIN_AGE} and s.okr * {TAU} / 1000 < {MIN_SAMPLES}
  if s.rate and (not measured or young or s.rate < measured) then
    allowed = s.rate
  end
  if allowed and s.ev and (s.lf or 0) == 0 and not young and (s.pz or 0) < (now - s.ev) / 2 then
    -- the last pause, waited out, was under half the cycle since (a bucket that refilled
    -- while the fleet waited): the cycle's average, the pause counted, is its rate
    local cycle = s.cnt * 1000 / (now - s.ev)
    if cycle < allowed then allowed = cycle end
  end
  if allowed then
    if allowed < {MIN_RATE} then allowed = {MIN_RATE} end
    s.max = allowed
    s.rate = math.max({MIN_RATE}, {BETA} * allowed)
    local k = {PLATEAU} * pause / 1000
    if k < {MIN_PLATEAU} or s.okr * {TAU} / 1000 < {FEW_SAMPLES} then k = {MIN_PLATEAU} end
    if k > {MAX_PLATEAU} then k = {MAX_PLATEAU} end
    s.k = k
    s.from = s['until']
  end
  s.ev = now
  s.cnt = 0
  s.lf = 0
  s.pz = s['until'] - now
  local resume = s['until'] or now
  s.tat = resume
  s.okr = 0
  s.okt = resume
  s.oks = resume
end
if tonumber(ARGV[1]) == gen - 1 and (s.q or 0) > 1 then
  s.q = s.q - 1  -- a 429 of the last event: one less of its bookings got through
end
save(tonumber(ARGV[4]))
return gen
"""
)

PEEK: Final = """
-- ARGV: [now ms]; the ms left in the fleet's pause (0 when there is none)
local now = nil
if ARGV[1] then now = tonumber(ARGV[1]) end
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local pause_until = tonumber(redis.call('HGET', KEYS[1], 'until')) or 0
if pause_until > now then return tostring(pause_until - now) end
return '0'
"""
