import { Worker } from 'node:worker_threads';

/**
 * Starts the worker module `name` (a file next to `from`, without extension)
 * and resolves once it posted its first message (ready), or rejects when it
 * fails or exits first. Compiled, it runs the `.js` file; from source (tests,
 * `node --import tsx`) the `.ts` one, loaded through tsx's API inside the
 * thread, because a worker does not inherit its parent's loader hooks. The
 * worker is unref'd: it never keeps the process alive by itself.
 */
export function startWorker(from: string, name: string, workerData: unknown): Promise<Worker> {
  const fromSource = from.endsWith('.ts');
  const file = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, from);
  const worker = fromSource
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`,
        { eval: true, workerData },
      )
    : new Worker(file, { workerData });
  worker.unref();
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => {
      worker.off('message', ready);
      reject(err);
    };
    const exited = (code: number) => failed(new Error(`${name} exited with code ${code}`));
    const ready = () => {
      worker.off('error', failed);
      worker.off('exit', exited);
      resolve(worker);
    };
    worker.once('error', failed);
    worker.once('exit', exited);
    worker.once('message', ready);
  });
}
