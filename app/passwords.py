"""New passwords that attackers try first are refused (ASVS 6.2.4).

The list is zxcvbn's `passwords` frequency list: the 30,000 most common passwords from leaked
password dumps, shipped inside the `zxcvbn` package, so the check works offline. Only that one
list is read, straight from the package's generated source, without running zxcvbn itself:
importing zxcvbn builds ranked dictionaries of all its lists (measured: ~85 ms, +18 MiB RSS),
while this takes ~30-50 ms and +8 MiB RSS (~4 MB of it kept as the set), once per process, on
the first check; later checks take ~6 µs.
"""

from __future__ import annotations

import ast
import importlib.util
import itertools
import unicodedata
from functools import lru_cache
from pathlib import Path

COMMON = 'This password is too common: it appears in lists of leaked passwords. Choose another.'
TRIVIAL = (
    'This password is too easy to guess: it repeats or runs through a few characters. '
    'Choose another.'
)
EMAIL = 'This password is too easy to guess: it is your email address. Choose another.'

_LIST_NAME = 'passwords'
_REPEAT_UNIT_MAX = 4


def normalized(password: str) -> str:
    """How passwords are compared: case, compatibility forms and outer spaces add no strength."""
    return unicodedata.normalize('NFKC', password).strip().casefold()


def _from_source(path: Path) -> list[str]:
    # The module is generated as FREQUENCY_LISTS = {"name": "a,b,c".split(","), ...}; reading
    # it as a syntax tree takes the one list without executing the package.
    tree = ast.parse(path.read_text(encoding='utf-8'))
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Dict):
            for key, value in zip(statement.value.keys, statement.value.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == _LIST_NAME
                    and isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Attribute)
                    and isinstance(value.func.value, ast.Constant)
                    and isinstance(value.func.value.value, str)
                ):
                    return value.func.value.value.split(',')
    raise LookupError(f'no "{_LIST_NAME}" list in {path}')


def _from_module() -> list[str]:
    # A frozen build (PyInstaller, the desktop app) keeps only bytecode: import it there.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    return list(FREQUENCY_LISTS[_LIST_NAME])


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The leaked-password list, normalized; loaded on first use and kept for the process."""
    spec = importlib.util.find_spec('zxcvbn')
    locations = list(spec.submodule_search_locations or []) if spec else []
    source = Path(locations[0]) / 'frequency_lists.py' if locations else None
    words = _from_source(source) if source is not None and source.is_file() else _from_module()
    return frozenset(normalized(word) for word in words)


def _trivial(text: str) -> bool:
    """A few characters repeated (`abcabcabc`, `zzzzzzzz`) or a run (`abcdefgh`, `98765432`)."""
    for size in range(1, _REPEAT_UNIT_MAX + 1):
        if len(text) % size == 0 and len(text) > size and text[:size] * (len(text) // size) == text:
            return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps in ({1}, {-1})


def check_new_password(password: str) -> str:
    """A new password must not be a common/leaked one nor a trivial repetition or run."""
    text = normalized(password)
    if text in common_passwords():
        raise ValueError(COMMON)
    if _trivial(text):
        raise ValueError(TRIVIAL)
    return password


def check_not_email(password: str, email: str | None) -> str:
    """A new password must not be the account's email address or the part before its `@`."""
    if email:
        text = normalized(password)
        address = normalized(email)
        if text in (address, address.partition('@')[0]):
            raise ValueError(EMAIL)
    return password
