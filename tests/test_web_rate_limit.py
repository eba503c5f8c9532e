"""The per-client token bucket, on a clock the test moves."""

from __future__ import annotations

from bot.frontends.web.rate_limit import RateLimiter, retry_after


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_requests_wait_for_the_refill():
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)  # one every 10 s, bursts of 6
    assert [limiter.wait_for("a") for _ in range(6)] == [0.0] * 6
    wait = limiter.wait_for("a")
    assert 9.9 < wait <= 10.0
    clock.now += 10.0
    assert limiter.wait_for("a") == 0.0
    assert limiter.wait_for("b") == 0.0  # another client has its own bucket


def test_refused_requests_take_nothing_so_waiting_is_enough():
    clock = Clock()
    limiter = RateLimiter(60, clock=clock)
    for _ in range(60):
        limiter.wait_for("a")
    for _ in range(100):
        assert limiter.wait_for("a") > 0
    clock.now += 1.0
    assert limiter.wait_for("a") == 0.0


def test_zero_turns_it_off_and_memory_is_bounded():
    assert all(RateLimiter(0).wait_for("a") == 0.0 for _ in range(1000))
    limiter = RateLimiter(5, clients=100)
    for n in range(1000):
        limiter.wait_for(f"10.0.{n // 256}.{n % 256}")
    assert len(limiter._buckets) == 100


def test_retry_after_is_whole_seconds_at_least_one():
    assert retry_after(0.01) == "1" and retry_after(9.2) == "10"
