// The frame of every shop page: a skip link, the header (the shop's name, search with
// suggestions as you type, the cart with its count, the shopper's links), the page's own
// content under its one <h1>, and the footer.
import { type Html, html } from '@platform/web';

export interface Frame {
  /** The signed-in shopper's name; none for a guest. */
  shopper?: string | undefined;
  /** Items in the cart; undefined when the cart did not answer. */
  cartCount?: number | undefined;
  /** This session's form token, for the sign-out form. */
  formToken: string;
  /** The asset URLs, with their versions. */
  assets: { css: string; js: string; icon: string };
  /** What the search box holds. */
  query?: string;
  /** A line at the top of the page: what was just done, or what went wrong. */
  notice?: { text: string; tone: 'done' | 'info' | 'problem' } | undefined;
}

/** The hidden field that proves a form was posted from one of this session's pages. */
export const formTokenField = (token: string): Html =>
  html`<input type="hidden" name="_csrf" value="${token}">`;

function cartLink(count: number | undefined): Html {
  if (count === undefined) return html`<a href="/cart" id="cart-link">Cart</a>`;
  const label = `Cart, ${count} ${count === 1 ? 'item' : 'items'}`;
  return html`<a href="/cart" id="cart-link" aria-label="${label}">Cart <span class="count">${count}</span></a>`;
}

function shopperLinks(frame: Frame): Html {
  if (!frame.shopper)
    return html`<li><a href="/signin">Sign in</a></li><li><a href="/register">Create account</a></li>`;
  return html`<li><a href="/orders">Orders</a></li><li><a href="/notifications">Messages</a></li>
<li><a href="/account">${frame.shopper}<span class="visually-hidden">, your account</span></a></li>
<li><form method="post" action="/signout">${formTokenField(frame.formToken)}<button type="submit" class="link">Sign out</button></form></li>`;
}

/** A whole page: the frame around `body`, titled `title`. */
export function page(title: string, body: Html, frame: Frame): Html {
  const notice = frame.notice;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Platform Shop</title>
<link rel="icon" href="${frame.assets.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${frame.assets.css}">
<script src="${frame.assets.js}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="top">
<a class="brand" href="/">Platform Shop</a>
<form class="search" role="search" action="/search" method="get">
<label for="q" class="visually-hidden">Search products</label>
<input id="q" name="q" type="search" value="${frame.query ?? ''}" placeholder="Search products" autocomplete="off" maxlength="200" aria-controls="suggestions" data-suggest="/search/suggest">
<button type="submit">Search</button>
<div id="suggestions" class="suggestions" role="region" aria-label="Suggestions" aria-live="polite"></div>
</form>
<nav aria-label="Your shop"><ul>
<li>${cartLink(frame.cartCount)}</li>
${shopperLinks(frame)}
</ul></nav>
</header>
<main id="main" tabindex="-1">
${notice ? html`<p class="notice ${notice.tone}" role="${notice.tone === 'problem' ? 'alert' : 'status'}">${notice.text}</p>` : ''}
<h1>${title}</h1>
${body}
</main>
<footer><p>Platform Shop: a demonstration of the platform's patterns. Pay with the test card 4242 4242 4242 4242.</p></footer>
</body>
</html>`;
}
