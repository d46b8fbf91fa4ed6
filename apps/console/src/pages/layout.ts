import { type Html, html } from '@platform/web';

export interface Frame {
  operator: string;
  nav: Array<{ path: string; title: string }>;
  current: string;
}

/** A whole page: the console's frame, its navigation (once signed in), and `body`. */
export function page(title: string, body: Html, frame?: Frame): Html {
  const nav = frame?.nav.map(
    (p) =>
      html`<li><a href="${p.path}"${p.path === frame.current ? html` aria-current="page"` : ''}>${p.title}</a></li>`,
  );
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Platform console</title>
<link rel="stylesheet" href="/assets/console.css">
<script src="/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the page</a>
<header>
<a class="brand" href="/">Platform console</a>
${
  frame
    ? html`<nav aria-label="Pages"><ul>${nav}</ul></nav>
<form method="post" action="/logout" class="signout"><span>${frame.operator}</span> <button type="submit">Sign out</button></form>`
    : ''
}
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}
