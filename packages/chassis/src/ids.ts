// The one check that a string is a uuid, for ids that arrive outside a route's schema
// (a cookie, a form field, a path a page renders, an event's subject). Hex digits in
// either case, as RFC 9562 reads them; callers that key on the id lower-case it.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a uuid in its canonical 8-4-4-4-12 form (any version, either case). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
