import type { TopicOffset } from './ports.js';
import type { ConnectorLogger } from './protocol.js';

/**
 * Commits checkpointed offsets to the consumer group off the read path. A commit is a network round trip
 * (more when the coordinator moves) and only feeds lag dashboards, so reading never waits for one: at most
 * one runs at a time, and offsets queued meanwhile replace older ones for the same partition.
 */
export class BackgroundGroupCommitter {
  private readonly pending = new Map<string, TopicOffset>();
  private running: Promise<void> | undefined;
  private failures = 0;

  constructor(
    private readonly commit: (offsets: readonly TopicOffset[]) => Promise<void>,
    private readonly logger: ConnectorLogger,
  ) {}

  submit(offsets: readonly TopicOffset[]): void {
    for (const offset of offsets) this.pending.set(`${offset.partition}:${offset.topic}`, offset);
    this.running ??= this.run();
  }

  /** Resolves once everything submitted so far was committed or given up on. Never rejects. */
  async drain(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  get failedCommits(): number {
    return this.failures;
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const offsets = [...this.pending.values()];
        this.pending.clear();
        try {
          await this.commit(offsets);
        } catch (error) {
          this.failures++;
          if (this.failures === 1) this.warn(error);
        }
      }
    } finally {
      this.running = undefined;
    }
  }

  private warn(error: unknown): void {
    try {
      this.logger.warn(
        `Could not commit offsets to the consumer group (${error instanceof Error ? error.message : String(error)}); ` +
          'the sync goes on, as it resumes from Airbyte state. Use a group id no other consumer is active in.',
      );
    } catch {
      // The output is already closed: the sync ended, and the exit code tells the rest.
    }
  }
}
