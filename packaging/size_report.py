"""What makes up the desktop binary: the files PyInstaller packed, grouped, uncompressed.

Run after `scripts/build-desktop`: `.venv/bin/python packaging/size_report.py`.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GROUPS = [  # first match wins
    ('QtWebEngine (Chromium) library', ('PyQt6/Qt6/lib/libQt6WebEngineCore',)),
    ('ICU data and libraries shipped with Qt', ('PyQt6/Qt6/lib/libicu', 'icudtl.dat')),
    (
        'QtWebEngine resources, locale, helper process',
        ('PyQt6/Qt6/resources', 'PyQt6/Qt6/libexec', 'qtwebengine_locales'),
    ),
    (
        'Qt Quick/QML (QtWebEngine links them)',
        ('PyQt6/Qt6/lib/libQt6Quick', 'PyQt6/Qt6/lib/libQt6Qml'),
    ),
    ('other Qt libraries, plugins and PyQt6 bindings', ('PyQt6/',)),
    ('NiceGUI static files (JS, CSS, fonts)', ('nicegui/',)),
    ('Python modules (compressed archive)', ('PYZ-',)),
    ('Python and extension modules', ('libpython', 'python3.11/', '.cpython-311', '.abi3.so')),
    ('system libraries from the build machine (GLib, NSS, GnuTLS, libstdc++ …)', ('.so',)),
]


def main() -> None:
    toc = ROOT / 'build' / 'desktop' / 'tasklight' / 'PKG-00.toc'
    entries = _entries(toc)
    sizes: dict[str, int] = defaultdict(int)
    for name, source in entries:
        path = Path(source)
        size = path.stat().st_size if path.exists() else 0
        group = next(
            (title for title, needles in GROUPS if any(n in name for n in needles)),
            'other',
        )
        sizes[group] += size
    total = sum(sizes.values())
    for group, size in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f'{size / 2**20:8.1f} MiB  {group}')
    print(f'{total / 2**20:8.1f} MiB  in all, before compression')
    binary = ROOT / 'dist' / ('Tasklight.exe' if sys.platform == 'win32' else 'Tasklight')
    if binary.exists():
        print(f'{binary.stat().st_size / 2**20:8.1f} MiB  {binary.relative_to(ROOT)} (compressed)')


def _entries(toc: Path) -> list[tuple[str, str]]:
    data = ast.literal_eval(toc.read_text())  # (package, options, [(name, source, kind)], ...)
    return [(str(item[0]), str(item[1])) for item in data[2]]


if __name__ == '__main__':
    main()
