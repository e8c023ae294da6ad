/**
 * kube-apiserver answers quantities in canonical form, keeping the input's family: "1000m" → "1",
 * "2000" → "2k", "1024Mi" → "1Gi", "512Mi" stays. Enough of it for the fields the drivers send.
 */
const BINARY: [string, number][] = [
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];
const DECIMAL: [string, number][] = [
  ['T', 1e12],
  ['G', 1e9],
  ['M', 1e6],
  ['k', 1e3],
  ['', 1],
];
const ALL: Record<string, number> = { m: 1e-3, ...Object.fromEntries([...BINARY, ...DECIMAL]) };

export function canonicalQuantity(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(value);
  if (!match) return value;
  const suffix = match[2] ?? '';
  const amount = Number.parseFloat(match[1]) * ALL[suffix];
  if (BINARY.some(([s]) => s === suffix)) {
    for (const [s, factor] of BINARY) if (amount % factor === 0) return `${amount / factor}${s}`;
    return String(Math.round(amount));
  }
  const millis = Math.round(amount * 1000);
  if (millis % 1000 !== 0) return `${millis}m`;
  for (const [s, factor] of DECIMAL) if (amount % factor === 0) return `${amount / factor}${s}`;
  return String(amount);
}

export function canonicalQuantities(map: Record<string, unknown> | undefined) {
  if (!map) return map;
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, canonicalQuantity(value)]));
}
