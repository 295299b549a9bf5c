/**
 * The postback URL a team pastes into its affiliate network (design.md section 13), with the
 * network's own macros in place of the values it fills in per conversion.
 */

/** The guild's postback token; `rotate` replaces it, and the old URL stops working. */
export interface PostbackTokens {
  token(guildId: string, rotate?: boolean): Promise<string>;
}

/** Networks whose macros are well known: their click-id parameter and how they name the values. */
const NETWORK_MACROS = [
  {
    network: "TUNE (HasOffers)",
    clickParam: "aff_sub",
    query: "click_id={aff_sub}&payout={payout}&txid={transaction_id}",
  },
  {
    network: "Everflow",
    clickParam: "sub1",
    query: "click_id={sub1}&payout={payout_amount}&txid={transaction_id}",
  },
] as const;

export function postbackUrl(publicUrl: URL, token: string): string {
  return new URL(
    `postback/${token}`,
    publicUrl.href.endsWith("/") ? publicUrl : `${publicUrl.href}/`,
  ).href;
}

/** What /settings postback shows: the URL, the parameters, and filled-in examples. */
export function describePostback(publicUrl: URL, token: string, rotated: boolean): string {
  const url = postbackUrl(publicUrl, token);
  return [
    rotated ? "New postback URL (the old one no longer works):" : "Postback URL:",
    `\`${url}?click_id=…&payout=…&txid=…&status=…&currency=…\``,
    "click_id is required; payout defaults to 0, status to approved (or pending, rejected), currency to the team's.",
    ...NETWORK_MACROS.map(
      (n) =>
        `${n.network} (set the campaign's click_param to ${n.clickParam}): \`${url}?${n.query}\``,
    ),
    "Keep this URL secret: anyone who has it can report conversions.",
  ].join("\n");
}
