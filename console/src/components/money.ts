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

/** Decimal strings added exactly (as integers of their smallest unit, in BigInt), e.g. for chart totals. */
export function sumMoney(amounts: readonly string[]): string {
  const scale = Math.max(2, ...amounts.map((a) => a.split('.')[1]?.length ?? 0));
  let total = 0n;
  for (const amount of amounts) {
    const [whole, fraction = ''] = amount.replace('-', '').split('.');
    const units = BigInt(whole + fraction.padEnd(scale, '0'));
    total += amount.startsWith('-') ? -units : units;
  }
  const sign = total < 0n ? '-' : '';
  const digits = (total < 0n ? -total : total).toString().padStart(scale + 1, '0');
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
