// Live sections: a section with data-live="/live/x" is replaced by each HTML fragment
// the server sends on that event stream (EventSource reconnects by itself). A button
// the operator is on keeps the focus: found again in the new fragment by its label.
for (const section of document.querySelectorAll('[data-live]')) {
  const stream = new EventSource(section.dataset.live);
  stream.addEventListener('html', (event) => {
    const focused = section.contains(document.activeElement)
      ? document.activeElement.getAttribute('aria-label')
      : null;
    section.innerHTML = event.data;
    if (focused) section.querySelector(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
  });
}
