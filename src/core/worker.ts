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

/**
 * Request/answer calls to a worker module that answers each message
 * `{ id, … }` with one `{ id, … }`: started on first use, restarted on the
 * call after it died. Calls in flight when it dies reject with `lost(why)`.
 */
export class WorkerCalls<Req extends { id: number }, Rep extends { id: number }> {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private readonly pending = new Map<number, { resolve(r: Rep): void; reject(e: Error): void }>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly from: string,
    private readonly name: string,
    private readonly workerData: unknown,
    private readonly opts: {
      /** the error a call gets when the worker is gone */
      lost(why: string): Error;
      /** a (new) worker is ready */
      started?(): void;
      /** the worker died while in use */
      died?(why: string): void;
    },
  ) {}

  /** Starts the worker now; rejects when it cannot run. */
  async start(): Promise<void> {
    await this.ensure();
  }

  private ensure(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= startWorker(this.from, this.name, this.workerData)
      .then((worker) => {
        this.worker = worker;
        worker.on('message', (reply: Rep) => {
          const p = this.pending.get(reply.id);
          if (!p) return;
          this.pending.delete(reply.id);
          p.resolve(reply);
        });
        worker.on('error', (err) => this.gone(worker, `${this.name} failed: ${err.message}`));
        worker.on('exit', (code) => this.gone(worker, `${this.name} exited with code ${code}`));
        this.opts.started?.();
        return worker;
      })
      .finally(() => {
        this.starting = undefined;
      });
    return this.starting;
  }

  private gone(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (!this.closed) this.opts.died?.(why);
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(this.opts.lost(why));
  }

  /**
   * One call: `make` builds the request (synchronously, once the worker is
   * ready, so it may depend on what that worker was told before);
   * `transfer` lists buffers to move instead of copying.
   */
  async call(make: (id: number) => Req, transfer?: (req: Req) => ArrayBuffer[]): Promise<Rep> {
    if (this.closed) throw this.opts.lost(`${this.name} closed`);
    const worker = await this.ensure().catch((err: unknown) => {
      throw this.opts.lost(`cannot start ${this.name}: ${(err as Error).message}`);
    });
    const req = make(this.nextId++);
    if (this.worker !== worker) throw this.opts.lost(`${this.name} stopped`);
    return new Promise<Rep>((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      worker.postMessage(req, transfer?.(req));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
