// Tasklight's keyboard: shortcuts in the style of Todoist and Gmail, and a focus keeper.
// Loaded once per dashboard page (components/keyboard.py); the server hears only what needs it
// (the `tl_key` event: due today, a priority, the shortcuts dialog).
(() => {
  if (window.tlKeys) return;
  const FIELD = 'input, textarea, select, [contenteditable=""], [contenteditable="true"]';
  const OVERLAY = '.q-dialog, .q-menu';
  const typing = (el) => !!(el && el.closest && el.closest(FIELD));
  const overlayOpen = () => !!document.querySelector(OVERLAY);
  const visible = (el) => !!el && el.offsetParent !== null;
  const rows = () => [...document.querySelectorAll('[data-task]')].filter(visible);
  const rowOf = (el) => (el && el.closest ? el.closest('[data-task]') : null);
  const rowById = (id) => [...document.querySelectorAll(`[data-task="${id}"]`)].find(visible);
  const send = (action, id) => emitEvent('tl_key', {action, id: id == null ? null : Number(id)});

  // ------------------------------------------------------------------ the focus keeper
  // A live refresh replaces a row whose task changed (ticked, edited), and removes a row that
  // left the view: the browser then drops focus to <body>, and the next Tab or Space would act
  // on some other task. Remember where focus was (the task, the part of its row, its neighbours)
  // and, when that element is gone and focus fell to <body>, put it on the same task's new row,
  // or on the nearest neighbour still shown.
  let last = null; // {id, part, el, after: [...ids], before: [...ids]}
  let lastRowId = null; // for Escape out of a field
  const partOf = (row, el) => {
    if (el === row) return 'row';
    const action = el.closest('[data-action]');
    if (action) return action.dataset.action;
    return el.closest('.q-checkbox') ? 'check' : 'row';
  };
  const describe = (el, part) => {
    const row = rowOf(el);
    if (!row) return null;
    const list = rows();
    const i = list.indexOf(row);
    const ids = list.map((r) => r.dataset.task);
    return {
      id: row.dataset.task,
      part: part || partOf(row, el),
      el,
      after: i < 0 ? [] : ids.slice(i + 1),
      before: i < 0 ? [] : ids.slice(0, i).reverse(),
    };
  };
  const partElement = (row, part) => {
    if (part === 'check') return row.querySelector('.q-checkbox') || row;
    if (part !== 'row') return row.querySelector(`[data-action="${part}"]`) || row;
    return row;
  };
  const focusRow = (row, part = 'row') => {
    const el = partElement(row, part);
    el.focus({preventScroll: true});
    el.scrollIntoView({block: 'nearest'});
  };
  document.addEventListener('focusin', (e) => {
    const found = describe(e.target);
    if (found) {
      last = found;
      lastRowId = found.id;
    } else if (!e.target.closest(`${OVERLAY}, .tl-undo, .q-notification`)) {
      last = null; // focus went somewhere else on purpose (the new-task field, the sidebar)
    }
  });
  // A Quasar field puts the attribute on its <input> (or on its wrapper, for some fields).
  const field = (name) => {
    const el = document.querySelector(`[data-key-target="${name}"]`);
    return el && !el.matches(FIELD) ? el.querySelector(FIELD) : el;
  };
  // Where a person starts: typing a task, once the page is there (with a mouse or touchpad;
  // on a touch screen the keyboard would cover the list).
  // Not after `g i`, `g t`…: whoever goes by keyboard goes on with shortcuts, not typing.
  let starting = matchMedia('(pointer: fine)').matches ? Date.now() : 0;
  if (sessionStorage.getItem('tl-went-by-key')) {
    sessionStorage.removeItem('tl-went-by-key');
    starting = 0;
  }
  const start = () => {
    if (!starting) return;
    if (Date.now() - starting > 10000) { starting = 0; return; }
    const el = field('new');
    if (!el) return;
    starting = 0;
    const active = document.activeElement;
    if (!active || active === document.body) el.focus();
  };
  let scheduled = false;
  let overlayAt = 0;
  const restore = () => {
    scheduled = false;
    start();
    if (overlayOpen()) {
      overlayAt = Date.now();
      return;
    }
    if (!last) return;
    const active = document.activeElement;
    const dropped = !active || active === document.body;
    if (last.el.isConnected) {
      // A dialog or menu that just closed hands focus back to where it was (Quasar tries, and
      // does not always manage); otherwise keep the neighbours current.
      if (dropped && Date.now() - overlayAt < 2000) last.el.focus({preventScroll: true});
      else last = describe(last.el, last.part) || last;
      return;
    }
    if (!dropped) return;
    let row = rowById(last.id);
    let part = last.part;
    if (!row) {
      part = 'row';
      for (const id of [...last.after, ...last.before]) {
        row = rowById(id);
        if (row) break;
      }
    }
    if (row) focusRow(row, part);
  };
  new MutationObserver(() => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(restore);
    }
  }).observe(document.body, {childList: true, subtree: true});

  // ------------------------------------------------------------------ shortcuts
  const GO = {i: '/tasks', t: '/tasks/today', u: '/tasks/upcoming', c: '/tasks/completed', a: '/tasks/assigned'};
  const go = (path) => {
    sessionStorage.setItem('tl-went-by-key', '1');
    const link = document.querySelector(`.q-drawer a[href="${path}"]`);
    if (link) link.click();
    else window.location.assign(path);
  };
  const focusField = (name, e) => {
    const el = field(name);
    if (!el) return;
    e.preventDefault();
    el.focus();
    el.scrollIntoView({block: 'nearest'});
  };
  const step = (by, from) => {
    const list = rows();
    if (!list.length) return;
    const i = from ? list.indexOf(from) : -1;
    const next = i < 0 ? list[by > 0 ? 0 : list.length - 1] : list[Math.min(list.length - 1, Math.max(0, i + by))];
    focusRow(next);
  };
  const press = (row, action) => {
    const button = row.querySelector(`[data-action="${action}"]`);
    if (button) button.click();
  };
  let gAt = 0;
  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.isComposing) return;
    const t = e.target;
    if (e.key === 'Escape' && typing(t) && !t.closest(OVERLAY)) {
      t.blur(); // leave the field; back to the task that had focus before, if still shown
      const row = lastRowId && rowById(lastRowId);
      if (row) focusRow(row);
      return;
    }
    if (typing(t) || overlayOpen() || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key;
    if (gAt && Date.now() - gAt < 1500) {
      gAt = 0;
      if (GO[key]) {
        e.preventDefault();
        go(GO[key]);
      }
      return;
    }
    gAt = 0;
    const row = rowOf(t);
    const onRow = !!row && t === row;
    switch (key) {
      case 'g': gAt = Date.now(); e.preventDefault(); return;
      case '?': e.preventDefault(); send('help'); return;
      case 'z': {
        const undo = document.querySelector('.tl-undo [data-undo]');
        if (undo) { e.preventDefault(); undo.click(); }
        return;
      }
      case 'q': case 'n': focusField('new', e); return;
      case '/': focusField('search', e); return;
      case 'j': case 'k': e.preventDefault(); step(key === 'j' ? 1 : -1, row); return;
      case 'ArrowDown': case 'ArrowUp':
        if (!row) return; // the page scrolls as usual
        e.preventDefault();
        step(key === 'ArrowDown' ? 1 : -1, row);
        return;
    }
    if (!row) return;
    switch (key) {
      case 'x': case ' ': {
        if (key === ' ' && !onRow) return; // Space on the checkbox or a button: its own action
        const box = row.querySelector('.q-checkbox');
        e.preventDefault();
        if (box && box.getAttribute('aria-disabled') !== 'true') box.click();
        return;
      }
      case 'e': case 'Enter':
        if (key === 'Enter' && !onRow) return;
        e.preventDefault(); press(row, 'edit'); return;
      case '#': case 'Delete': e.preventDefault(); press(row, 'delete'); return;
      case 't': e.preventDefault(); send('today', row.dataset.task); return;
      case '1': case '2': case '3': case '4':
        e.preventDefault(); send(`p${key}`, row.dataset.task); return;
      case 'Home': case 'End': {
        const list = rows();
        e.preventDefault();
        focusRow(key === 'Home' ? list[0] : list[list.length - 1]);
        return;
      }
    }
  });
  window.tlKeys = {restore};
})();
