// Live sections: a section with data-live="/live/x" is replaced by each HTML fragment
// the server sends on that event stream (EventSource reconnects by itself). One the
// operator is working in waits until they are done: replacing it would take the
// keyboard focus away, wipe what they are typing or close what they opened.
const inUse = (section) =>
  section.contains(document.activeElement) ||
  section.querySelector('details[open]') !== null ||
  [...section.querySelectorAll('input, textarea')].some((field) => field.value !== field.defaultValue) ||
  [...section.querySelectorAll('option')].some((option) => option.selected !== option.defaultSelected);

for (const section of document.querySelectorAll('[data-live]')) {
  const stream = new EventSource(section.dataset.live);
  let shown = '';
  stream.addEventListener('html', (event) => {
    if (event.data === shown || inUse(section)) return;
    section.innerHTML = event.data;
    shown = event.data;
  });
}
