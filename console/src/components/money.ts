/**
 * A CNY amount as the API sends it (a decimal string) with thousands separators, by string manipulation
 * only: no JS number ever holds it, so 14-digit totals keep every digit.
 */
export function formatMoney(amount: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(amount.trim());
  if (!match) return amount;
  const [, sign, whole, fraction = ''] = match;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}
