"""Quick add in the new-task field: what app.quickadd reads from the title, shown as it is typed.

Each recognition is a chip under the field (a calendar and "Fri 4 Dec", a flag and "High", a
# and "Work": Material icons, which every browser here has, unlike emoji) with a ✕ that
undoes it: the words stay in the title. Backspace pressed right after a word was recognised (the
caret still at its end) undoes it too, instead of deleting a letter; the browser decides that
alone (BACKSPACE_JS), so typing costs no extra round trip.

Text arrives on every keystroke, so nothing here speaks on a keystroke: an undo is announced,
and the dashboard says where a task went once it is added."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import date

from nicegui import ui
from nicegui.events import GenericEventArguments

from app.quickadd import Key, Kind, Parsed, Span, parse, present
from components.announce import announce
from components.timefmt import day_label

# As the priority select says them (components.task_list.PRIORITY_OPTIONS; a test keeps them equal).
PRIORITY_WORDS = {0: 'No priority', 1: 'Low', 2: 'Medium', 3: 'High'}
WHAT = {'date': 'a date', 'time': 'a time', 'priority': 'a priority', 'list': 'a list'}
ICONS = {'date': 'event', 'time': 'schedule', 'priority': 'flag', 'list': 'tag'}
FLAG_COLOURS = {1: 'info', 2: 'warning', 3: 'negative'}  # as a task's row shows its priority

CSS = """
.tl-qa-chip { display: inline-flex; align-items: center; gap: 0.25rem; font-size: 0.8125rem;
  line-height: 1.25rem; border-radius: 9999px; padding: 0 0.125rem 0 0.5rem;
  border: 1px solid currentColor; color: var(--q-primary); white-space: nowrap; }
.tl-qa-chip .q-btn { color: inherit; }
"""

# On the field: Backspace with the caret at the end of what was just recognised (the server puts
# it in data-qa-undo, with the text it covers) undoes the recognition instead of deleting. Any
# other key, or a caret elsewhere, leaves Backspace alone.
BACKSPACE_JS = """(e) => {
  if (e.key !== 'Backspace' || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
  const field = e.target;
  const host = field && field.closest && field.closest('[data-qa-undo]');
  if (!host) return;
  let span;
  try { span = JSON.parse(host.dataset.qaUndo); } catch (error) { return; }
  if (!span || field.selectionStart !== span.end || field.selectionEnd !== span.end) return;
  if (typeof field.value !== 'string' || field.value.slice(span.start, span.end) !== span.text) {
    return;
  }
  e.preventDefault();
  delete host.dataset.qaUndo;
  emit({kind: span.kind, text: span.text});
}"""

Lists = Sequence[tuple[int, str]]


def chip_text(span: Span, today: date, lists: Lists = ()) -> str:
    """What a chip says beside its icon: 'Fri 4 Dec', '17:00', 'High', 'Work'."""
    value = span.value
    if span.kind == 'date' and isinstance(value, date):
        words = day_label(value, today)
    elif span.kind == 'time':
        words = f'{value:%H:%M}'
    elif span.kind == 'priority' and isinstance(value, int):
        words = PRIORITY_WORDS.get(value, str(value))
    else:
        words = next((name for list_id, name in lists if list_id == value), span.text)
    return words


def undo_name(span: Span) -> str:
    """The ✕ button's accessible name: 'Don't read “tomorrow” as a date'."""
    return f'Don\u2019t read \u201c{span.text}\u201d as {WHAT[span.kind]}'


class QuickAdd:
    """Reads `field` as it changes and shows the chips (marked `quick-add`, each `chip-<kind>`
    with its ✕ `undo-<kind>`). `parsed` is what the text says now."""

    def __init__(
        self,
        field: ui.input,
        *,
        today: Callable[[], date],
        week_start: str = 'monday',
        lists: Lists = (),
    ) -> None:
        self.field = field
        self._today = today
        self._week_start = week_start
        self._lists: list[tuple[int, str]] = list(lists)
        self.keep: set[Key] = set()  # what the person undid
        self.parsed = Parsed(title='')
        self._shown: tuple[tuple[Key, str], ...] = ()
        ui.add_css(CSS)
        self.chips = ui.row().classes('w-full gap-1 items-center tl-qa').mark('quick-add')
        self.chips.props['role'] = 'group'
        self.chips.props['aria-label'] = 'Read from the title'
        self.chips.set_visibility(False)
        field.on_value_change(self.read)
        field.on('keydown', self._backspace, js_handler=BACKSPACE_JS)

    def text_says(self, text: str | None) -> Parsed:
        """What `text` would say in this field now (the same lists and undone recognitions)."""
        return parse(
            text or '',
            today=self._today(),
            week_start=self._week_start,
            lists=self._lists,
            keep=self.keep,
        )

    def read(self) -> Parsed:
        """Read the field again and show what it says; the chips change only when that does."""
        before = {span.key for span in self.parsed.spans}
        text = self.field.value or ''
        self.keep = {key for key in self.keep if present(text, key)}  # its words went
        self.parsed = self.text_says(text)
        today = self._today()
        shown = tuple((s.key, chip_text(s, today, self._lists)) for s in self.parsed.spans)
        if shown != self._shown:
            self._shown = shown
            self._show()
        fresh = [span for span in self.parsed.spans if span.key not in before]
        if fresh:
            last = max(fresh, key=lambda span: span.end)
            self.field.props['data-qa-undo'] = json.dumps(
                {'kind': last.kind, 'start': last.start, 'end': last.end, 'text': last.text}
            )
        elif 'data-qa-undo' in self.field.props:
            self.field.props(remove='data-qa-undo')
        return self.parsed

    def set_lists(self, lists: Lists) -> None:
        """The lists `#Name` may name (the person's own and those shared with them to edit)."""
        lists = list(lists)
        if lists != self._lists:
            self._lists = lists
            self.read()

    def undo(self, span: Span, *, focus: bool = True) -> None:
        """Leave that phrase in the title."""
        with self.chips:  # not the ✕'s slot: it goes with its chip
            self.keep.add(span.key)
            self.read()
            announce(f'\u201c{span.text}\u201d stays in the title')
            if focus:  # the ✕ is gone: back to where the person was typing
                self.field.run_method('focus')

    def undo_kinds(self, kinds: Collection[Kind]) -> None:
        """The person chose these with the form's own controls: those win, the words stay."""
        spans = [span for span in self.parsed.spans if span.kind in kinds]
        if spans:
            self.keep.update(span.key for span in spans)
            self.read()

    def reset(self) -> None:
        """A new task: nothing undone any more."""
        self.keep.clear()
        self.read()

    def _backspace(self, event: GenericEventArguments) -> None:
        args = event.args
        if not isinstance(args, dict):
            return
        span = next(
            (
                span
                for span in self.parsed.spans
                if span.kind == args.get('kind') and span.text == args.get('text')
            ),
            None,
        )
        if span is not None:
            self.undo(span, focus=False)

    def _show(self) -> None:
        self.chips.clear()
        today = self._today()
        with self.chips:
            for span in self.parsed.spans:
                with ui.element('span').classes('tl-qa-chip').mark(f'chip-{span.kind}'):
                    icon = ui.icon(ICONS[span.kind], size='16px')  # hidden from screen readers
                    if span.kind == 'priority' and isinstance(span.value, int):
                        icon.classes(f'text-{FLAG_COLOURS.get(span.value, "grey-6")}')
                    ui.label(chip_text(span, today, self._lists))
                    button = ui.button(icon='close', on_click=lambda s=span: self.undo(s))
                    button.props('flat round dense size=xs').mark(f'undo-{span.kind}')
                    button.props['aria-label'] = undo_name(span)
                    button.props['title'] = undo_name(span)
        self.chips.set_visibility(bool(self.parsed.spans))
