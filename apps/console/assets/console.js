// Live sections: a section with data-live="/live/x" is replaced by each HTML fragment
// the server sends on that event stream (EventSource reconnects by itself).
for (const section of document.querySelectorAll('[data-live]')) {
  const stream = new EventSource(section.dataset.live);
  stream.addEventListener('html', (event) => {
    section.innerHTML = event.data;
  });
}
