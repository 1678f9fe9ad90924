// Runs in a fresh Node process: imports one bundle and prints what that cost, as JSON. Plain JS, so
// no loader (tsx) sits between Node and the bundle.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * This process's peak resident memory, in KiB. Linux's VmHWM belongs to this program's own memory
 * map; `maxRSS` (getrusage) also counts the parent's memory at the fork before exec.
 */
function peakKiB() {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}

const wall0 = performance.now();
const cpu0 = process.cpuUsage();
const module = await import(pathToFileURL(process.argv[2]).href);
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - wall0;
if (typeof module.handler !== 'function') throw new Error(`${process.argv[2]} exports no handler`);
process.stdout.write(JSON.stringify({ wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: peakKiB() }));
