"""Rate limits for sign-in failures and registrations, shared by the web UI and the API."""

from __future__ import annotations

import math
import threading
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from app.config import get_settings
from app.errors import RateLimited


class Throttle:
    """Counts failures only: a person who gets the password right is never slowed down."""

    def __init__(
        self, *, login: str, login_per_address: str, register: str, redis_url: str | None
    ) -> None:
        self.storage: Storage = RedisStorage(redis_url) if redis_url else MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self.storage)
        self.login: RateLimitItem = parse(login)
        self.login_per_address: RateLimitItem = parse(login_per_address)
        self.register: RateLimitItem = parse(register)

    def _check(self, item: RateLimitItem, *keys: str) -> None:
        if not self._limiter.test(item, *keys):
            reset_at, _ = self._limiter.get_window_stats(item, *keys)
            raise RateLimited(retry_after=math.ceil(reset_at - time.time()))

    def check_login(self, *, email: str, address: str) -> None:
        self._check(self.login, 'login-email', email)
        self._check(self.login_per_address, 'login-address', address)

    def record_failed_login(self, *, email: str, address: str) -> None:
        self._limiter.hit(self.login, 'login-email', email)
        self._limiter.hit(self.login_per_address, 'login-address', address)

    def hit_register(self, *, address: str) -> None:
        """Count a registration attempt from `address`; RateLimited once the budget is spent."""
        if not self._limiter.hit(self.register, 'register-address', address):
            reset_at, _ = self._limiter.get_window_stats(self.register, 'register-address', address)
            raise RateLimited(retry_after=math.ceil(reset_at - time.time()))

    def reset(self) -> None:
        self.storage.reset()


_throttle: Throttle | None = None
_lock = threading.Lock()


def get_throttle() -> Throttle:
    global _throttle
    if _throttle is None:
        with _lock:
            if _throttle is None:
                settings = get_settings()
                _throttle = Throttle(
                    login=settings.rate_limit_login,
                    login_per_address=settings.rate_limit_login_per_address,
                    register=settings.rate_limit_register,
                    redis_url=settings.redis_url,
                )
    return _throttle


def set_throttle(throttle: Throttle | None) -> None:
    global _throttle
    _throttle = throttle
