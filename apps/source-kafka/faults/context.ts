import type { ApicurioConnection, BrokerConnection } from '@source-kafka/testkit';
import type { ScenarioRow } from './ledger.js';

export interface SuiteContext {
  readonly broker: BrokerConnection;
  readonly registry: ApicurioConnection;
  readonly random: () => number;
  /** The short version that runs in the test command. */
  readonly short: boolean;
  readonly log: (line: string) => void;
}

export interface Scenario {
  readonly name: string;
  run(ctx: SuiteContext, row: ScenarioRow): Promise<void>;
}
