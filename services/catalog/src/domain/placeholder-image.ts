const PALETTE = ['#1f6feb', '#8250df', '#bf3989', '#cf222e', '#bc4c00', '#4d2d00', '#1a7f37', '#0a3069'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A product picture drawn from its name: the demo catalog ships no photographs, and
 * a picture that always loads beats a link to one that does not.
 */
export function placeholderImage(product: { name: string; category: string }): string {
  let hash = 0;
  for (const char of product.category) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const colour = PALETTE[hash % PALETTE.length];
  const words = product.name.split(' ');
  const lines = [words.slice(0, 2).join(' '), words.slice(2).join(' ')].filter(Boolean);
  const text = lines
    .map((line, i) => `<text x="300" y="${290 + i * 52}" text-anchor="middle">${escapeXml(line)}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600">
<rect width="600" height="600" fill="${colour}"/><g fill="#fff" font-family="sans-serif" font-size="40">${text}</g>
</svg>`;
}
