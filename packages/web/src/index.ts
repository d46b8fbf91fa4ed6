// The whole public surface of the web package: what the console and the storefront share.
export { type CookieOptions, cookieHeader, cookieOf } from './cookies.ts';
export { escapeHtml, type Html, html, markupOf, trusted } from './html.ts';
export { acceptForms, securePages, sendHtml, serveAssets } from './pages.ts';
export { fromOwnPage } from './same-origin.ts';
