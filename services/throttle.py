"""Rate limits on password checks and registrations, shared by the web UI and the API.

Every budget is spent *before* the password is checked (`limits` `hit` is atomic in memory and
in Redis), so simultaneous guesses cannot all slip under a limit that is only read beforehand.
"""

from __future__ import annotations

import math
import threading
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from app.config import get_settings
from app.errors import RateLimited

GLOBAL = 'all'


class Throttle:
    """Three budgets for password checks (per email, per client address, for the whole server)
    and one for registrations per address."""

    def __init__(
        self,
        *,
        login: str,
        login_per_address: str,
        register: str,
        redis_url: str | None,
        password_hashing: str = '1200/minute',  # noqa: S107 - a rate, not a password
        password_reset: str = '3/hour',  # noqa: S107 - a rate, not a password
    ) -> None:
        self.storage: Storage = RedisStorage(redis_url) if redis_url else MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self.storage)
        self.login: RateLimitItem = parse(login)
        self.login_per_address: RateLimitItem = parse(login_per_address)
        self.register: RateLimitItem = parse(register)
        self.password_hashing: RateLimitItem = parse(password_hashing)
        self.password_reset: RateLimitItem = parse(password_reset)

    def _refuse(self, item: RateLimitItem, *keys: str) -> RateLimited:
        reset_at, _ = self._limiter.get_window_stats(item, *keys)
        return RateLimited(retry_after=math.ceil(reset_at - time.time()))

    def _spend(self, item: RateLimitItem, *keys: str) -> None:
        if not self._limiter.hit(item, *keys):
            raise self._refuse(item, *keys)

    def reserve_password_check(self, *, email: str | None, address: str) -> None:
        """Spend one password check from each budget before it runs; RateLimited if one is empty.

        `email` is None for a browser this account trusts (it signed in there before): guessing
        against the account then cannot lock its owner out, while the address and server-wide
        budgets still bound how much hashing anyone can cause.
        """
        self._spend(self.login_per_address, 'login-address', address)
        if email is not None:
            self._spend(self.login, 'login-email', email)
        self._spend(self.password_hashing, 'password-hashing', GLOBAL)

    def forgive(self, *, email: str) -> None:
        """The right password was given: that email's earlier attempts no longer count."""
        self._limiter.clear(self.login, 'login-email', email)

    def hit_register(self, *, address: str) -> None:
        """Count a registration attempt from `address`; RateLimited once the budget is spent."""
        self._spend(self.register, 'register-address', address)

    def hit_password_reset(self, *, email: str, address: str) -> None:
        """Count a reset email asked for, per address asked about and per client; RateLimited
        once either is spent. Counted whether or not the address has an account."""
        self._spend(self.password_reset, 'reset-address', address)
        self._spend(self.password_reset, 'reset-email', email)

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
                    password_hashing=settings.rate_limit_password_hashing,
                    password_reset=settings.rate_limit_password_reset,
                    redis_url=settings.redis_url,
                )
    return _throttle


def set_throttle(throttle: Throttle | None) -> None:
    global _throttle
    _throttle = throttle
