/**
 * Currencies and amounts. Amounts are integers in the currency's minor unit (the `*Cents` fields: cents for EUR,
 * yen for JPY, fils for KWD). The list of ISO 4217 codes and each one's minor units come from the runtime's
 * Unicode CLDR data (`Intl`), not from a table kept here.
 */

/** ISO 4217 codes of the currencies in use (CLDR's list, as the JavaScript runtime ships it). */
export const ISO_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

export const isIsoCurrency = (code: string): boolean => ISO_CURRENCIES.has(code);

/** Digits after the decimal point of a currency's minor unit: EUR 2, JPY 0, KWD 3. */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** An amount in minor units as people read it, e.g. 1999 EUR -> "€19.99", 1999 JPY -> "¥1,999". */
export function formatAmount(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  return new Intl.NumberFormat('en', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}
