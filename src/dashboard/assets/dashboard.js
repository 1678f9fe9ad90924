// The dashboard's only script (served from the package, as the page's CSP allows no inline script):
// sorts the overview by a column, filters it by the box, refreshes the live part of any page every few
// seconds, keeping the sort and filter, and marks a running backfill's button busy. Pages work without
// it, just not live.
'use strict';

(() => {
  const state = { sort: null, descending: false };

  function rows() {
    const body = document.querySelector('#task-table tbody');
    return body === null ? [] : Array.from(body.querySelectorAll('tr'));
  }

  function applyFilter() {
    const box = document.getElementById('filter');
    const text = box === null ? '' : box.value.trim().toLowerCase();
    for (const row of rows()) row.hidden = text !== '' && !(row.dataset.search || '').includes(text);
  }

  function applySort() {
    const body = document.querySelector('#task-table tbody');
    if (body === null || state.sort === null) return;
    const key = `sort${state.sort[0].toUpperCase()}${state.sort.slice(1)}`;
    const sorted = rows().sort((a, b) => {
      const order = (a.dataset[key] || '').localeCompare(b.dataset[key] || '', undefined, { numeric: true });
      return state.descending ? -order : order;
    });
    for (const row of sorted) body.appendChild(row);
    for (const button of document.querySelectorAll('[data-sort]')) {
      button.setAttribute('aria-sort', button.dataset.sort === state.sort ? (state.descending ? 'descending' : 'ascending') : 'none');
    }
  }

  function wire() {
    for (const button of document.querySelectorAll('[data-sort]')) {
      button.addEventListener('click', () => {
        state.descending = state.sort === button.dataset.sort ? !state.descending : false;
        state.sort = button.dataset.sort;
        applySort();
      });
    }
    const box = document.getElementById('filter');
    if (box !== null) box.addEventListener('input', applyFilter);
  }

  /** Replaces #live with the server's current rendering; the filter box's text and focus survive. */
  async function refresh() {
    const live = document.getElementById('live');
    if (live === null || document.hidden) return;
    // data-src: the page without a backfill preview or result, which are read once, not every few seconds.
    let response;
    try {
      response = await fetch(live.dataset.src || location.pathname + location.search, { credentials: 'same-origin', cache: 'no-store' });
    } catch {
      response = undefined;
    }
    const mine = document.getElementById('updated');
    if (response === undefined || !response.ok) {
      // Say so, rather than let an old page pass for a live one.
      if (mine !== null && document.body.dataset.stale !== '1') mine.textContent += ` — not refreshing (${response === undefined ? 'the dashboard is not answering' : `HTTP ${response.status}`})`;
      document.body.dataset.stale = '1';
      return;
    }
    delete document.body.dataset.stale;
    const next = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = next.getElementById('live');
    if (fresh === null) return;
    const box = document.getElementById('filter');
    const typed = box === null ? '' : box.value;
    const focused = box !== null && document.activeElement === box;
    live.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.importNode(node, true)));
    const updated = next.getElementById('updated');
    if (updated !== null && mine !== null) mine.textContent = updated.textContent;
    const newBox = document.getElementById('filter');
    if (newBox !== null) {
      newBox.value = typed;
      if (focused) newBox.focus();
    }
    wire();
    applySort();
    applyFilter();
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || '0') + 1);
  }

  /** An action's notice is shown once: a reload must not announce it again. */
  function dropNotice() {
    const url = new URL(location.href);
    if (!url.searchParams.has('notice')) return;
    url.searchParams.delete('notice');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }

  /** A real backfill waits for its slots: say so on its button, and keep it from being sent twice. */
  function wireBackfill() {
    const button = document.getElementById('backfill-run');
    if (button === null) return;
    button.form.addEventListener('submit', () => {
      button.disabled = true;
      button.textContent = button.dataset.busy;
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    wire();
    wireBackfill();
    dropNotice();
    const seconds = Number(document.body.dataset.refreshSeconds || '0');
    if (seconds > 0) {
      const tick = () => refresh().catch(() => undefined).finally(() => setTimeout(tick, seconds * 1000));
      setTimeout(tick, seconds * 1000);
    }
  });
})();
