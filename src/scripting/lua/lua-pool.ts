// A small pool of VMs per compiled script set: calls take an idle VM, or build one while the
// pool is below its size, or wait in FIFO order. A VM that hit its budget or memory cap is
// closed and replaced, so one bad request never leaves a poisoned VM behind.
import { LuaVm, type LuaChunk } from './lua-vm.js';
import type { LuaBudget } from './types.js';

export class LuaPool {
  private readonly idle: LuaVm[] = [];
  private readonly waiters: ((vm: LuaVm) => void)[] = [];
  private count = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly budget: LuaBudget,
    private readonly openOs: boolean,
    private readonly chunks: LuaChunk[],
  ) {}

  /** Startup: builds the first VM, which also proves every chunk parses. */
  async warm(): Promise<void> {
    const vm = await LuaVm.create(this.budget, this.openOs, this.chunks);
    this.count++;
    this.idle.push(vm);
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
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(vm: LuaVm): void {
    if (vm.broken || this.closed) {
      vm.close();
      this.count--;
      if (!this.closed && this.waiters.length > 0) {
        // Replace the broken VM for the next waiter.
        this.count++;
        const next = this.waiters.shift();
        LuaVm.create(this.budget, this.openOs, this.chunks).then(
          (fresh) => next?.(fresh),
          () => {
            this.count--;
          },
        );
      }
      return;
    }
    const next = this.waiters.shift();
    if (next) next(vm);
    else this.idle.push(vm);
  }

  close(): void {
    this.closed = true;
    for (const vm of this.idle.splice(0)) vm.close();
  }
}
