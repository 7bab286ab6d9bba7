/**
 * Reading processes from Linux's /proc: a process's state, parent and CPU ticks, and its children. Used by the
 * benchmarks (CPU per process tree) and the reliability tests (freezing a Postgres with SIGSTOP).
 */
import fs from 'node:fs';

export interface ProcStat {
  /** R running, S sleeping, D disk wait, T stopped, Z zombie, … */
  state: string;
  ppid: number;
  /** utime + stime, clock ticks */
  self: number;
  /** cutime + cstime: children already reaped */
  children: number;
}

/** /proc/<pid>/stat, or undefined when the process is gone. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state); field n is f[n - 3].
    return { state: f[0]!, ppid: Number(f[1]), self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** The live processes whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    if (procStat(Number(e))?.ppid === pid) out.push(Number(e));
  }
  return out;
}
