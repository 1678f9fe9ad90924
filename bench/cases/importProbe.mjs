// Runs in a fresh Node process: imports one bundle and prints what that cost, as JSON. Plain JS, so
// no loader (tsx) sits between Node and the bundle.
import { pathToFileURL } from 'node:url';

const wall0 = performance.now();
const cpu0 = process.cpuUsage();
const module = await import(pathToFileURL(process.argv[2]).href);
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - wall0;
if (typeof module.handler !== 'function') throw new Error(`${process.argv[2]} exports no handler`);
process.stdout.write(JSON.stringify({ wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS }));
