/** The p-th percentile (nearest rank) of samples; 0 for none. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** One machine-readable line per figure, which `npm run bench` collects; ratio = value / ceiling. */
export function benchLine(figure: { figure: string; value: number; unit: string; ceiling?: number }): void {
  const round = (n: number) => Math.round(n * 100) / 100;
  const line: Record<string, unknown> = {
    figure: figure.figure,
    value: round(figure.value),
    unit: figure.unit,
  };
  if (figure.ceiling !== undefined) {
    line.ceiling = round(figure.ceiling);
    line.ratio = figure.ceiling > 0 ? round(figure.value / figure.ceiling) : 0;
  }
  console.log(`BENCH ${JSON.stringify(line)}`);
}
