/** One address, one account: surrounding spaces dropped and letters lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
