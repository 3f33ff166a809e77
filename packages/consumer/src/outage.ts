// How long a read keeps retrying brokers that went away (error_handling.broker_outage_seconds). The outage
// starts at the first failure after the last progress and ends at the next progress; within the budget every
// failure is retried, past it the read fails. Pure: the clock is injected, so unit tests drive it by hand.
import type { Clock } from './types.js';

export class OutageBudget {
  private since: number | undefined;

  constructor(
    private readonly limitMs: number,
    private readonly clock: Clock,
  ) {}

  /** A broker failure: true to retry (the outage is still within the budget), false to give up. */
  failed(): boolean {
    const now = this.clock.now();
    this.since ??= now;
    return now - this.since < this.limitMs;
  }

  /** True once an outage has begun and no progress has ended it. */
  get inOutage(): boolean {
    return this.since !== undefined;
  }

  /** Milliseconds since the outage began (0 when there is none). */
  elapsedMs(): number {
    return this.since === undefined ? 0 : this.clock.now() - this.since;
  }

  /** Records arrived: the brokers are back, and the next failure starts a new outage. */
  progressed(): void {
    this.since = undefined;
  }
}
