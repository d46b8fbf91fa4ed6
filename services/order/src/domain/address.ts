// The address check of checkout's new step (flag `checkoutAddressCheck`): a postal code
// must have its destination country's shape, so a typo is caught while the shopper is
// still at checkout, not by the carrier days later. Countries not listed pass. Pure.

/** Postal code shapes by ISO country, after trimming and upper-casing. */
const POSTAL_CODES: Record<string, RegExp> = {
  US: /^\d{5}(-\d{4})?$/,
  CA: /^[A-Z]\d[A-Z] ?\d[A-Z]\d$/,
  GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/,
  DE: /^\d{5}$/,
  FR: /^\d{5}$/,
  ES: /^\d{5}$/,
  IT: /^\d{5}$/,
  NL: /^\d{4} ?[A-Z]{2}$/,
  SE: /^\d{3} ?\d{2}$/,
  CH: /^\d{4}$/,
  AU: /^\d{4}$/,
  JP: /^\d{3}-?\d{4}$/,
};

/** Why the postal code cannot be right for the country, or undefined when it can. */
export function postalCodeProblem(address: { postalCode: string; country: string }): string | undefined {
  const shape = POSTAL_CODES[address.country];
  if (!shape || shape.test(address.postalCode.trim().toUpperCase())) return undefined;
  return `${address.postalCode} is not a postal code of ${address.country}`;
}
