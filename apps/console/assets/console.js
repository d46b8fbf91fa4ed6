// Live sections: a section with data-live="/live/x" is replaced by each HTML fragment
// the server sends on that event stream (EventSource reconnects by itself). A button
// the operator is on keeps the focus: found again in the new fragment by its label.
// A section they are working in otherwise waits until they are done: replacing it
// would wipe what they are typing, close what they opened, or lose their place.
const busy = (section, focused) =>
  (focused && (!focused.getAttribute('aria-label') || focused.matches('input, select, textarea'))) ||
  section.querySelector('details[open]') !== null ||
  [...section.querySelectorAll('input, textarea')].some((field) => field.value !== field.defaultValue) ||
  [...section.querySelectorAll('option')].some((option) => option.selected !== option.defaultSelected);

for (const section of document.querySelectorAll('[data-live]')) {
  const stream = new EventSource(section.dataset.live);
  let shown = '';
  stream.addEventListener('html', (event) => {
    const focused = section.contains(document.activeElement) ? document.activeElement : null;
    if (event.data === shown || busy(section, focused)) return;
    const label = focused?.getAttribute('aria-label');
    section.innerHTML = event.data;
    shown = event.data;
    if (label) section.querySelector(`[aria-label="${CSS.escape(label)}"]`)?.focus();
  });
}
