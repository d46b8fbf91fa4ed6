const MAX_TERMS = 10;

/**
 * Turns what a shopper typed into a PostgreSQL tsquery in which every word matches
 * as a prefix, so "wireless head" finds "Wireless Headphones":
 * `wireless:* & head:*`. Only letters and digits survive, so the result is always
 * valid tsquery syntax. Null when there is nothing to search for.
 */
export function toPrefixQuery(text: string): string | null {
  const words =
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words)].slice(0, MAX_TERMS);
  return terms.length > 0 ? terms.map((word) => `${word}:*`).join(' & ') : null;
}
