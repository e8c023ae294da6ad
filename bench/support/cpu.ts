// What each part of a run cost in CPU, read from /proc (Linux) in the same run as the figures it explains.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** Seconds of CPU (user and system) process `pid` has used so far; 0 when it is gone or is not `command`. */
function cpuSeconds(pid: number, command: string): number {
  try {
    // A pid from a server on another machine means nothing here: it must at least be the same program.
    if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith(command)) return 0;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name, which may hold spaces: state is the first field, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** A part of a run: its processes (asked again at the end, for those started meanwhile) and their program. */
export interface CpuPart {
  pids: () => number[] | Promise<number[]>;
  command: string;
}

/**
 * Starts counting; the function answers the CPU seconds each part has used since. A process that exits
 * before the end counts nothing (nor does one whose pid was taken again), so a part's figure is at least
 * what it used.
 */
export async function cpuMeter(
  parts: Record<string, CpuPart>,
): Promise<() => Promise<Record<string, number>>> {
  const read = () =>
    Promise.all(
      Object.entries(parts).map(async ([name, part]) => {
        const pids = await part.pids();
        return [name, new Map(pids.map((pid) => [pid, cpuSeconds(pid, part.command)]))] as const;
      }),
    );
  const before = new Map(await read());
  return async () =>
    Object.fromEntries(
      (await read()).map(([name, now]) => {
        let used = 0;
        for (const [pid, seconds] of now) used += Math.max(0, seconds - (before.get(name)!.get(pid) ?? 0));
        return [name, used];
      }),
    );
}

/** The PostgreSQL server's processes: every backend and the background writers. */
export async function postgresPids(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity`);
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/** The Redis server's process. */
export async function redisPid(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    return Number(/process_id:(\d+)/.exec(await redis.info('server'))![1]);
  } finally {
    redis.disconnect();
  }
}
