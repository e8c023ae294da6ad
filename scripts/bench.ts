// `npm run bench`: runs every bench/*.ts (or those whose name contains an argument) one after another
// against real PostgreSQL and Redis (configured, or project-local ones started for the run), shows their
// own output, collects their `BENCH {json}` lines and prints one table of every figure.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureServices } from './local-services.js';

interface Figure {
  figure: string;
  value: number;
  unit: string;
  ceiling?: number;
  ratio?: number;
  bench: string;
}

const root = path.resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);
const benches = readdirSync(path.join(root, 'bench'))
  .filter((file) => file.endsWith('.ts'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (benches.length === 0) {
  console.error(`no bench/*.ts matches ${filters.join(' ')}`);
  process.exit(2);
}

/** Parses one `BENCH {json}` line; undefined for any other line. */
function parseBenchLine(line: string, bench: string): Figure | undefined {
  const match = /^BENCH (\{.*\})\s*$/.exec(line);
  if (!match) return undefined;
  const json = JSON.parse(match[1]) as Omit<Figure, 'bench'>;
  if (typeof json.figure !== 'string' || typeof json.value !== 'number' || typeof json.unit !== 'string') {
    throw new Error(`${bench}: malformed BENCH line: ${line}`);
  }
  return { ...json, bench };
}

function runBench(
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ figures: Figure[]; ok: boolean; seconds: number }> {
  const started = performance.now();
  const figures: Figure[] = [];
  const child = spawn(process.execPath, ['--import', './scripts/register.mjs', path.join('bench', file)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const figure = parseBenchLine(line, file);
      if (figure) figures.push(figure);
    }
  });
  const stop = () => child.kill('SIGTERM');
  process.on('SIGINT', stop);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      process.off('SIGINT', stop);
      const last = parseBenchLine(pending, file);
      if (last) figures.push(last);
      resolve({ figures, ok: code === 0, seconds: (performance.now() - started) / 1000 });
    }),
  );
}

function table(figures: Figure[]): string {
  const fmt = (n: number | undefined) =>
    n === undefined ? '' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toFixed(3);
  const rows = [
    ['指标 figure', '数值 value', '单位 unit', '上限 ceiling', '比值 ratio'],
    ...figures.map((f) => [f.figure, fmt(f.value), f.unit, fmt(f.ceiling), fmt(f.ratio)]),
  ];
  // CJK characters take two columns in a terminal.
  const width = (s: string) =>
    [...s].reduce((w, ch) => w + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => width(r[i]))));
  const line = (r: string[]) =>
    r
      .map((cell, i) =>
        i === 0 || i === 2
          ? cell + ' '.repeat(widths[i] - width(cell))
          : ' '.repeat(widths[i] - width(cell)) + cell,
      )
      .join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const services = await ensureServices();
const env = { ...process.env, DATABASE_URL: services.databaseUrl, REDIS_URL: services.redisUrl };
const figures: Figure[] = [];
const failed: string[] = [];
try {
  for (const file of benches) {
    console.log(`\n=== bench/${file} ===`);
    const result = await runBench(file, env);
    figures.push(...result.figures);
    console.log(`=== bench/${file}: ${result.ok ? 'done' : 'FAILED'} in ${result.seconds.toFixed(0)} s ===`);
    if (!result.ok) failed.push(file);
  }
} finally {
  await services.stop();
}
const cpus = os.cpus();
console.log(
  `\n基准结果 benchmark results — ${cpus.length} × ${cpus[0]?.model.trim()}, Node ${process.version}`,
);
console.log(table(figures));
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
process.exit(0);
