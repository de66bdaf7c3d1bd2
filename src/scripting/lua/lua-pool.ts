// A small pool of VMs per compiled script set: calls take an idle VM, or build one while the
// pool is below its size, or wait in FIFO order. A VM that hit its budget or memory cap is
// closed and replaced, so one bad request never leaves a poisoned VM behind. The wait is
// bounded twice: at most `maxWaiters` calls queue (more are refused at once), and a queued call
// that waits longer than `maxWaitMs` is refused; both throw LuaPoolBusy, which answers 503, so a
// flood of script calls sheds load quickly instead of queueing memory and latency without end.
import { LuaVm, type LuaChunk } from './lua-vm.js';
import type { LuaBudget } from './types.js';

/** No VM within the wait bounds. */
export class LuaPoolBusy extends Error {
  constructor(why: string) {
    super(why);
  }
}

interface Waiter {
  resolve(vm: LuaVm): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class LuaPool {
  private readonly idle: LuaVm[] = [];
  private readonly waiters: Waiter[] = [];
  private count = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly budget: LuaBudget,
    private readonly openOs: boolean,
    private readonly chunks: LuaChunk[],
    private readonly maxWaiters = 64,
    private readonly maxWaitMs = 1000,
  ) {}

  /** Queued calls (tests, metrics). */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Startup: proves every chunk parses (LuaVm.checkChunks); VMs are made on first use. */
  async check(): Promise<void> {
    await LuaVm.checkChunks(this.budget, this.chunks);
  }

  /** An idle VM now, if there is one (the synchronous fast path of a call). */
  tryAcquire(): LuaVm | undefined {
    return this.closed ? undefined : this.idle.pop();
  }

  async acquire(): Promise<LuaVm> {
    if (this.closed) throw new Error('Lua pool closed');
    const vm = this.idle.pop();
    if (vm) return vm;
    if (this.count < this.size) {
      this.count++;
      try {
        return await LuaVm.create(this.budget, this.openOs, this.chunks);
      } catch (err) {
        this.count--;
        throw err;
      }
    }
    if (this.waiters.length >= this.maxWaiters) throw new LuaPoolBusy(`all ${this.size} Lua VMs busy and ${this.maxWaiters} calls queued`);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new LuaPoolBusy(`no Lua VM free within ${this.maxWaitMs} ms`));
        }, this.maxWaitMs),
      };
      this.waiters.push(w);
    });
  }

  /** The next waiter, its timer cleared. */
  private nextWaiter(): Waiter | undefined {
    const w = this.waiters.shift();
    if (w) clearTimeout(w.timer);
    return w;
  }

  release(vm: LuaVm): void {
    if (vm.broken || this.closed) {
      vm.close();
      this.count--;
      if (!this.closed && this.waiters.length > 0) {
        // Replace the broken VM for the next waiter.
        this.count++;
        const next = this.nextWaiter();
        LuaVm.create(this.budget, this.openOs, this.chunks).then(
          (fresh) => next?.resolve(fresh),
          (err: Error) => {
            this.count--;
            next?.reject(err);
          },
        );
      }
      return;
    }
    const next = this.nextWaiter();
    if (next) next.resolve(vm);
    else this.idle.push(vm);
  }

  close(): void {
    this.closed = true;
    for (const vm of this.idle.splice(0)) vm.close();
    for (let w = this.nextWaiter(); w; w = this.nextWaiter()) w.reject(new Error('Lua pool closed'));
  }
}
