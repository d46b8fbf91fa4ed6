import { type Html, html } from '../html.ts';

const PAGES = [{ path: '/resources', title: 'Resources' }];

/** A whole page: the console's frame, its navigation, and `body`. */
export function page(title: string, body: Html, operator?: string): Html {
  const nav = PAGES.map(
    (p) =>
      html`<li><a href="${p.path}"${p.title === title ? html` aria-current="page"` : ''}>${p.title}</a></li>`,
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
<header>
<a class="brand" href="/">Platform console</a>
${
  operator
    ? html`<nav aria-label="Pages"><ul>${nav}</ul></nav>
<form method="post" action="/logout" class="signout"><span>${operator}</span> <button type="submit">Sign out</button></form>`
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
