// The shop works without this script; with it, search suggests as you type, and an
// order's page follows the order live. Each fetch starts its own trace here, in the
// browser (W3C traceparent, and the same id as the correlation id), so one keystroke can
// be followed through the gateway, the storefront and the services.
const hex = (bytes) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
const traced = (headers = {}) => {
  const trace = hex(16);
  return { ...headers, traceparent: `00-${trace}-${hex(8)}-01`, 'x-correlation-id': `web-${trace}` };
};

// Suggestions under the search box: the catalog's prefix search, a few matches as links.
for (const input of document.querySelectorAll('input[data-suggest]')) {
  const region = document.getElementById(input.getAttribute('aria-controls'));
  let timer;
  let pending;
  const show = (markup) => {
    region.innerHTML = markup;
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      pending?.abort();
      const q = input.value.trim();
      if (!q) return show('');
      pending = new AbortController();
      try {
        const url = `${input.dataset.suggest}?q=${encodeURIComponent(q)}`;
        const answer = await fetch(url, { headers: traced(), signal: pending.signal });
        if (answer.ok) show(await answer.text());
      } catch {
        // A newer keystroke took over, or the shop is away: the form still searches.
      }
    }, 150);
  });
  input.form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      show('');
      input.focus();
    }
  });
}

// Live sections: each HTML fragment the stream sends replaces the section; a control the
// shopper is on keeps the focus (found again by its label). Read with fetch, not
// EventSource, so the request can carry its trace; it resumes with Last-Event-ID.
function follow(section, lastId) {
  const headers = traced({ accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) });
  let ended = false;
  const take = (frame) => {
    const field = (name) =>
      frame
        .split('\n')
        .filter((l) => l.startsWith(`${name}:`))
        .map((l) => l.slice(name.length + 1).replace(/^ /, ''));
    const [event] = field('event');
    if (event === 'end') ended = true;
    if (event !== 'html') return;
    lastId = field('id')[0] ?? lastId;
    const focused = section.contains(document.activeElement)
      ? document.activeElement.getAttribute('aria-label')
      : null;
    section.innerHTML = field('data').join('\n');
    if (focused) section.querySelector(`[aria-label="${CSS.escape(focused)}"]`)?.focus();
  };
  fetch(section.dataset.live, { headers })
    .then(async (answer) => {
      // Signed out, or no such order: nothing to follow, and asking again will not change it.
      if (!answer.ok || !answer.body) {
        ended = true;
        return;
      }
      const reader = answer.body.getReader();
      const decoder = new TextDecoder();
      let buffered = '';
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        buffered += decoder.decode(read.value, { stream: true });
        for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
          take(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
        }
      }
    })
    .catch(() => undefined)
    .finally(() => ended || setTimeout(() => follow(section, lastId), 3000));
}
for (const section of document.querySelectorAll('[data-live]')) follow(section, undefined);
