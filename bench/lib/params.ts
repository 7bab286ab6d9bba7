/**
 * Benchmark parameters (`NAME=value` / `--name=value` / `--name value`
 * arguments, else the environment variable NAME or BENCH_NAME, else the
 * default) and a description of the machine the run happens on.
 */
import fs from 'node:fs';
import os from 'node:os';

function fromArgs(name: string): string | undefined {
  const args = process.argv.slice(2);
  const lower = name.toLowerCase().replace(/_/g, '-');
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const prefix of [`${name}=`, `--${lower}=`, `--${name.toLowerCase()}=`]) if (a.startsWith(prefix)) return a.slice(prefix.length);
    if ((a === `--${lower}` || a === `--${name.toLowerCase()}`) && i + 1 < args.length) return args[i + 1];
  }
  return undefined;
}

export function strParam(name: string, fallback: string): string {
  const v = fromArgs(name) ?? process.env[name] ?? process.env[`BENCH_${name}`];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

export function intParam(name: string, fallback: number, min = 0): number {
  const raw = strParam(name, String(fallback)).replace(/_/g, '');
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) {
    console.error(`bench: ${name} must be an integer ≥ ${min} (got ${JSON.stringify(raw)})`);
    process.exit(2);
  }
  return v;
}

export function boolParam(name: string, fallback: boolean): boolean {
  const v = strParam(name, fallback ? 'true' : 'false').toLowerCase();
  return v === '1' || v === 'true' || v === 'yes';
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  kernel: string;
  loadavg: number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  let model = cpus[0]?.model ?? 'unknown';
  try {
    // /proc/cpuinfo is sometimes more specific than os.cpus() (e.g. a VM's "AMD EPYC").
    const m = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m && m[1]!.length > model.length) model = m[1]!.trim();
  } catch {
    /* not Linux */
  }
  return {
    cpuModel: model,
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function printHeader(title: string, params: Record<string, string | number | boolean | object | null | undefined>): void {
  const m = machineInfo();
  console.log(`=== ${title} ===`);
  console.log(`date:     ${new Date().toISOString()}`);
  console.log(`machine:  ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.kernel}`);
  console.log(`node:     ${m.node}`);
  console.log(`load avg: ${m.loadavg.join(' / ')} (1/5/15 min) at start — other work on the machine depresses the figures`);
  console.log(
    `params:   ${Object.entries(params)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join('  ')}`,
  );
}
