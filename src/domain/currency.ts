/**
 * The guild's currency (design.md sections 6 and 13): an ISO 4217 code that reports show revenue
 * in. Payouts a network sends in another currency are kept as sent and shown apart: Herald never
 * converts with a rate it would have to invent.
 */
import { z } from "zod";
import { DomainError } from "./errors.ts";

export const DEFAULT_CURRENCY = "USD";

/** The codes Node's ICU knows as current ISO 4217 currencies (EUR, GBP, JPY, …). */
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

export const currencyCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, "is three letters, such as USD, EUR or GBP")
  .refine((code) => KNOWN_CURRENCIES.has(code), "is not an ISO 4217 currency code");

/** The code in upper case, or a refusal that says what a code looks like. */
export function parseCurrency(input: string): string {
  const parsed = currencyCodeSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new DomainError(
    "invalid_input",
    `"${input.trim()}" ${parsed.error.issues[0]?.message ?? "is not a currency code"} (ISO 4217, e.g. USD, EUR, GBP).`,
  );
}

const plainAmount = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/**
 * Amounts per currency other than the guild's, as "1,200.00 GBP, 3.50 EUR" (largest first):
 * a number and the code as sent, with no symbol that could pass for the guild's currency.
 */
export function otherCurrenciesWords(amounts: Readonly<Record<string, number>>): string {
  return Object.entries(amounts)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([code, amount]) => `${plainAmount.format(amount)} ${code}`)
    .join(", ");
}
