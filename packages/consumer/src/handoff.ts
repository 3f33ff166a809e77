// The bounded hand-off between kafkajs' push-style eachBatch and the caller's pull: the producer waits while
// `capacity` units are buffered, so kafkajs never runs more than one batch ahead of the caller.

export class Handoff<T> {
  private readonly items: { item: T; weight: number }[] = [];
  private buffered = 0;
  private spaceWaiters: (() => void)[] = [];
  private itemWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Adds without waiting; for tiny bookkeeping items that must keep their place in the order. */
  put(item: T, weight = 0): void {
    if (this.closed) return;
    this.items.push({ item, weight });
    this.buffered += weight;
    this.wake('item');
  }

  /** Resolves once there is room (or the hand-off is closed). The item is queued right away either way. */
  async push(item: T, weight: number): Promise<void> {
    this.put(item, weight);
    while (!this.closed && this.buffered > this.capacity) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
  }

  take(): T | undefined {
    const entry = this.items.shift();
    if (entry === undefined) return undefined;
    this.buffered -= entry.weight;
    this.wake('space');
    return entry.item;
  }

  /** Resolves when an item is available, the hand-off closes, or `signal` fires. */
  waitForItem(signal?: Promise<void>): Promise<void> {
    if (this.items.length > 0 || this.closed) return Promise.resolve();
    const arrived = new Promise<void>((resolve) => this.itemWaiters.push(resolve));
    return signal ? Promise.race([arrived, signal]) : arrived;
  }

  /** Releases every waiter and drops what is buffered: used when the read stops. */
  close(): void {
    this.closed = true;
    this.items.length = 0;
    this.buffered = 0;
    this.wake('space');
    this.wake('item');
  }

  /** Wakes a waiting reader without adding an item, e.g. when a failure is recorded. */
  interrupt(): void {
    this.wake('item');
  }

  private wake(kind: 'space' | 'item'): void {
    const waiters = kind === 'space' ? this.spaceWaiters : this.itemWaiters;
    if (kind === 'space') this.spaceWaiters = [];
    else this.itemWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
