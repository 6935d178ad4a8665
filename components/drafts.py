"""What the person typed and the server has not confirmed yet, kept in this browser.

A dropped connection that outlasts the reconnect window makes NiceGUI reload the page, and the
server-side page (with whatever was typed into it) is gone. So the browser writes each keystroke
of the new-task form and of an open edit dialog to `localStorage`, under a key that names the
signed-in person (one person's drafts never show for another on a shared browser). The server
clears a part once it has confirmed the save. On the next page load the browser hands whatever is
left to the page, which puts the text back in its fields with a notice, and never submits it:
the person decides, so nothing is ever sent twice.

The same anchor carries Back/Forward: the dashboard keeps its filter, search and page in the URL
and pushes a history entry for each change, so `popstate` has to tell the page what to show.

Only constant code, integers and the user id's hex travel into JavaScript from here; user text
goes from the browser to the server as event data, never the other way as code.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.models import DESCRIPTION_MAX, TITLE_MAX

NEW = 'new'
EDIT = 'edit'
RESTORED = 'Restored what you were typing before the page reloaded. Nothing was sent yet.'

_SCRIPT = """<script>
window.tasklight = (() => {
  const key = 'tasklight.drafts.' + %(user)s;
  const read = () => {
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  };
  const write = (drafts) => {
    try {
      if (Object.keys(drafts).length) localStorage.setItem(key, JSON.stringify(drafts));
      else localStorage.removeItem(key);
    } catch (e) { /* private mode or full: the page still works, only without drafts */ }
  };
  let editing = null;  // {task_id, version} of the open edit dialog
  return {
    put(part, field, value) {
      const drafts = read();
      let entry = drafts[part] || {};
      if (part === 'edit') {
        if (!editing) return;
        if (entry.task_id !== editing.task_id) entry = {};
        Object.assign(entry, editing);
      }
      entry[field] = value == null ? '' : String(value);
      drafts[part] = entry;
      write(drafts);
    },
    forget(part, field) {
      const drafts = read();
      if (drafts[part]) { delete drafts[part][field]; write(drafts); }
    },
    editing(taskId, version) {
      editing = {task_id: taskId, version: version};
      const drafts = read();
      if (drafts.edit && drafts.edit.task_id === taskId) {
        drafts.edit.version = version;
        write(drafts);
      }
    },
    clear(part) {
      if (part === 'edit') editing = null;
      const drafts = read();
      delete drafts[part];
      write(drafts);
    },
    start(anchorId) {
      const anchor = () => getHtmlElement(anchorId);
      window.addEventListener('popstate', () => {
        anchor()?.dispatchEvent(new CustomEvent('tlurl', {detail: location.search}));
      });
      const drafts = read();
      if (Object.keys(drafts).length) {
        anchor()?.dispatchEvent(new CustomEvent('tlrestore', {detail: drafts}));
      }
    },
  };
})();
</script>"""

_LIMITS = {'title': TITLE_MAX, 'description': DESCRIPTION_MAX}


def keep_typing(field: ui.input | ui.textarea, part: str, name: str) -> None:
    """Write every change the person makes to `field` into this browser's drafts."""
    field.on(
        'update:model-value', js_handler=f'(v) => window.tasklight?.put("{part}", "{name}", v)'
    )


def text_fields(entry: Any) -> dict[str, str]:
    """The title/description a stored draft holds, as the browser sent it; anything else is
    dropped (it comes from the client, so it is checked like any input)."""
    if not isinstance(entry, dict):
        return {}
    return {
        name: value[:limit]
        for name, limit in _LIMITS.items()
        if isinstance(value := entry.get(name), str)
    }


def whole_number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31 - 1:
        return None
    return value


class BrowserDrafts:
    """The page's end of the browser-side drafts and of Back/Forward (see the module docs)."""

    def __init__(
        self,
        user_id: uuid.UUID,
        *,
        on_restore: Callable[[dict[str, Any]], Awaitable[None]],
        on_url: Callable[[str], Awaitable[None]],
    ) -> None:
        ui.add_body_html(_SCRIPT % {'user': f'"{user_id.hex}"'})
        self.anchor = ui.element('div').classes('hidden').mark('browser-state')

        async def restore(event: Any) -> None:
            if isinstance(event.args, dict):
                await on_restore(event.args)

        async def url(event: Any) -> None:
            await on_url(event.args if isinstance(event.args, str) else '')

        self.anchor.on('tlrestore', restore, js_handler='(e) => emit(e.detail)')
        self.anchor.on('tlurl', url, js_handler='(e) => emit(e.detail)')
        ui.run_javascript(f'window.tasklight.start({self.anchor.id})')

    @staticmethod
    def editing(task_id: int, version: int) -> None:
        """Tell the browser which task (at which version) the edit dialog's keystrokes belong to."""
        ui.run_javascript(f'window.tasklight?.editing({int(task_id)}, {int(version)})')

    @staticmethod
    def forget(part: str, field: str) -> None:
        ui.run_javascript(f'window.tasklight?.forget("{part}", "{field}")')

    @staticmethod
    def clear(part: str) -> None:
        """The server confirmed (or the person dropped) this part: the browser forgets it."""
        ui.run_javascript(f'window.tasklight?.clear("{part}")')
