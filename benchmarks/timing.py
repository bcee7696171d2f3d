"""Timing of one call: timeit-style autorange, median of repeats, and waiting for a quiet machine."""

import os
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """How long and how often to time a call.

    Each repeat runs the call in a loop until at least min_time seconds have passed and records
    the time per call; the result is the median over the repeats. A warm-up call comes first; if it
    takes at least long_call seconds, it is the measurement itself (one repeat), which caps the time
    spent on very slow entries (jammy_flows sampling at batch 100,000 takes about a minute).
    """

    min_time: float = 0.2
    repeats: int = 5
    long_call: float = 2.0
    quiet_load: float = 1.3  # 1-min load average, our own process included
    quiet_wait: float = 15.0  # at most this many seconds of waiting per block


FULL = Policy()
QUICK = Policy(min_time=0.02, repeats=3, long_call=0.5, quiet_wait=0.0)


def wait_quiet(policy):
    """Wait (at most policy.quiet_wait seconds) for the 1-min load average to drop below
    policy.quiet_load; returns the load average when done."""
    deadline = time.monotonic() + policy.quiet_wait
    while os.getloadavg()[0] > policy.quiet_load and time.monotonic() < deadline:
        time.sleep(2)
    return os.getloadavg()[0]


def _time_once(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _autorange(fn, min_time):
    """Seconds per call of fn, looping for at least min_time seconds."""
    calls = 0
    t0 = time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= min_time:
            return elapsed / calls


def measure(fn, policy):
    """Time fn; returns the median seconds per call, the per-repeat values and the load average."""
    first = _time_once(fn)
    if first >= policy.long_call:
        per_repeat = [first]
    else:
        per_repeat = [_autorange(fn, policy.min_time) for _ in range(policy.repeats)]
    return {
        "sec_per_call": statistics.median(per_repeat),
        "min_sec_per_call": min(per_repeat),
        "per_repeat_sec_per_call": per_repeat,
        "loadavg_1min_after": os.getloadavg()[0],
    }
