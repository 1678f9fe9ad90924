import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LatencyProxy {
  readonly endpoint: string;
  /** Stops the proxy's process (by its pid) and waits for it to exit. */
  close(): Promise<void>;
}

/** Starts `latencyProxy.mjs` in a process of its own, in front of `127.0.0.1:targetPort`. */
export async function startLatencyProxy(targetPort: number, oneWayMs: number): Promise<LatencyProxy> {
  const child = spawn(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'latencyProxy.mjs'), String(targetPort), String(oneWayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill();
    await exited;
  };
  try {
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    return { endpoint: `http://127.0.0.1:${Number(line.toString().trim())}`, close };
  } catch (error) {
    await close();
    throw error;
  }
}
