"""Subset NiceGUI's Material Icons font (126 KiB) to the icons Tasklight can show.

    .venv/bin/python scripts/build_icons.py [OUTPUT]

(OUTPUT defaults to components/assets/material-icons.woff2.)

Run it after using a new icon, then commit the font: the server only serves it, and
tests/test_fonts.py fails while an icon named in the code is missing from it. The icons kept:
every quoted word in pages/, components/ and main.py that names an icon (more than are used,
a few hundred bytes each), and every icon of Quasar's own icon set and of NiceGUI's elements
(the select's arrow, a field's clear button, the date picker's chevrons…). Needs fonttools
with brotli (`pip install -e '.[dev]'`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nicegui
from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
STATIC = Path(nicegui.__file__).parent / 'static'
OUTPUT = ROOT / 'components' / 'assets' / 'material-icons.woff2'
WORD = re.compile(r"""(?<![\w-])[a-z][a-z0-9_]*(?![\w-])""")


def source_font() -> Path:
    """The file NiceGUI's fonts.css names for the plain "Material Icons" face."""
    css = (STATIC / 'fonts.css').read_text()
    face = re.search(r'font-family: "Material Icons";[^}]*?url\((fonts/[0-9a-f]+\.woff2)\)', css)
    assert face, 'NiceGUI fonts.css has no "Material Icons" face'
    return STATIC / face.group(1)


def ligatures(font: TTFont) -> dict[str, str]:
    """Icon name (as typed) → the glyph its ligature makes."""
    letters = {glyph: chr(code) for code, glyph in font.getBestCmap().items()}
    names: dict[str, str] = {}
    for lookup in font['GSUB'].table.LookupList.Lookup:
        for table in lookup.SubTable:
            table = getattr(table, 'ExtSubTable', table)
            for first, entries in getattr(table, 'ligatures', {}).items():
                for entry in entries:
                    parts = [first, *entry.Component]
                    if all(part in letters for part in parts):
                        names[''.join(letters[part] for part in parts)] = entry.LigGlyph
    return names


def words(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        for literal in re.findall(r"""(['"])(.*?)\1""", path.read_text(errors='replace')):
            found.update(WORD.findall(literal[1]))
    return found


def wanted_words() -> set[str]:
    """Quoted words in our code and in NiceGUI's elements, and Quasar's icon set."""
    ours = [ROOT / 'main.py']
    for folder in ('pages', 'components'):
        ours += [p for p in (ROOT / folder).rglob('*') if p.suffix in {'.py', '.js', '.html'}]
    elements = Path(nicegui.__file__).parent / 'elements'
    theirs = [p for p in elements.rglob('*') if p.suffix in {'.py', '.js', '.vue'}]
    quasar = (STATIC / 'quasar.umd.prod.js').read_text()
    icon_set = re.search(r'name:"material-icons",(.*?)\}\};', quasar)
    assert icon_set, "Quasar's material-icons icon set not found"
    return words(ours) | words(theirs) | set(re.findall(r'"([a-z0-9_]+)"', icon_set.group(1)))


def icons_in(font: TTFont) -> set[str]:
    return set(ligatures(font))


def build(output: Path) -> list[str]:
    font = TTFont(source_font())
    table = ligatures(font)
    keep = sorted(wanted_words() & set(table))
    options = subset.Options()
    options.flavor = 'woff2'
    options.layout_features = ['*']
    options.layout_closure = False  # only the ligatures whose icon is kept
    options.name_IDs = ['*']
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    letters = sorted({char for name in keep for char in name})
    subsetter.populate(glyphs=[table[name] for name in keep], text=''.join(letters))
    subsetter.subset(font)
    font.flavor = 'woff2'
    font.save(output)
    return keep


if __name__ == '__main__':
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    kept = build(target)
    print(f'{len(kept)} icons, {target.stat().st_size} bytes: {target}')
