/**
 * A watchdog for the benchmark's system. `tsx` (the npm scripts' runner)
 * relays Ctrl-C to the benchmark and SIGKILLs it when it does not answer
 * within 30 ms — which happens on a loaded machine — and then no cleanup
 * runs. The reaper is a separate, detached plain-node process: once the
 * benchmark's pid is gone it stops what the benchmark started (the pids in
 * DATA_DIR/pids.json: Temporal with SIGTERM, Postgres with SIGINT = fast
 * shutdown) and removes DATA_DIR. The API and the worker stop by
 * themselves (STOP_WITH_PARENT).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const REAPER_SOURCE = String.raw`
const fs = require('node:fs');
const [benchPid, dataDir, keep] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const pidsFile = dataDir + '/pids.json';
const timer = setInterval(() => {
  if (!fs.existsSync(dataDir)) process.exit(0); // the benchmark cleaned up itself
  if (alive(Number(benchPid))) return;
  clearInterval(timer);
  let pids = {};
  try { pids = JSON.parse(fs.readFileSync(pidsFile, 'utf8')); } catch {}
  const signals = { temporal: 'SIGTERM', postgres: 'SIGINT', api: 'SIGTERM', worker: 'SIGTERM' };
  for (const [name, pid] of Object.entries(pids)) { try { process.kill(pid, signals[name] || 'SIGTERM'); } catch {} }
  const deadline = Date.now() + 15000;
  const wait = setInterval(() => {
    const left = Object.values(pids).filter(alive);
    if (left.length && Date.now() < deadline) return;
    for (const pid of left) { try { process.kill(pid, 'SIGKILL'); } catch {} }
    clearInterval(wait);
    if (keep !== 'true') fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }, 250);
}, 500);
`;

export function startReaper(dataDir: string, keep: boolean): void {
  const child = spawn(process.execPath, ['-e', REAPER_SOURCE, String(process.pid), dataDir, String(keep)], { detached: true, stdio: 'ignore' });
  child.unref();
}

/** Records a pid the reaper must stop if the benchmark dies without cleaning up. */
export function recordPid(dataDir: string, name: string, pid: number | undefined): void {
  if (!pid) return;
  const file = path.join(dataDir, 'pids.json');
  let pids: Record<string, number> = {};
  try {
    pids = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number>;
  } catch {
    /* first one */
  }
  pids[name] = pid;
  fs.writeFileSync(file, JSON.stringify(pids));
}
