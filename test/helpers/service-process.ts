import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, waitFor } from './binaries.js';

export interface ServiceProcess {
  url: string;
  proc: ChildProcess;
  output(): string;
  /** SIGKILL, no cleanup: what a power cut or OOM killer does to the process */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs `kaiteki <args>` as a real child process (the way operators run it) and waits for /healthz. */
export async function startService(env: Record<string, string>, args = ['start']): Promise<ServiceProcess> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: {
      ...process.env,
      KAITEKI_LOG_PRETTY: '0',
      KAITEKI_HTTP_HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  let exitedEarly = false;
  proc.once('exit', () => {
    exitedEarly = true;
  });
  await waitFor(
    async () => {
      if (exitedEarly) return true; // reported below: waitFor treats a throw as "not yet"
      return (await fetch(`${url}/healthz`)).status === 200;
    },
    30_000,
    'the service to be healthy',
  ).catch((err) => {
    proc.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${out}`);
  });
  if (exitedEarly) throw new Error(`the service exited with status ${proc.exitCode}:\n${out}`);
  const exited = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });
  return {
    url,
    proc,
    output: () => out,
    kill9: async () => {
      proc.kill('SIGKILL');
      await exited();
    },
    stop: async () => {
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited();
      clearTimeout(t);
    },
  };
}

/** Runs `kaiteki <args>` to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      env: { ...process.env, KAITEKI_LOG_PRETTY: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
