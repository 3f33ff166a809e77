// What the registry format matrix shares between its fixture producer (a child process: the Confluent
// serializers load in plain Node, not inside vitest) and the test: case shapes and an exact JSON reader.
export type Strategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy';
export const STRATEGIES: readonly Strategy[] = [
  'TopicNameStrategy',
  'RecordNameStrategy',
  'TopicRecordNameStrategy',
];
export type Form = 'avro' | 'protobuf-descriptor' | 'protobuf-text' | 'json-schema';
export const FORMS: readonly Form[] = ['avro', 'protobuf-descriptor', 'protobuf-text', 'json-schema'];

/**
 * Integers beyond 2^53 cannot pass through JSON.parse; `parseExact` turns them into this marker so a test
 * can tell "written as a number with every digit" from a rounded number or a string.
 */
export const exactInteger = (digits: string): string => `#integer:${digits}`;

/** JSON.parse, keeping integers beyond ±(2^53−1) (outside strings) as `exactInteger` markers. */
export function parseExact(line: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i] as string;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += line[i + 1] ?? '';
        i += 1;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const match = /^-?\d+(?![\d.eE])/.exec(line.slice(i));
    if (match !== null && (i === 0 || !/[\d.eE+-]/.test(line[i - 1] as string))) {
      const digits = match[0];
      const unsafe =
        BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER) || BigInt(digits) < BigInt(Number.MIN_SAFE_INTEGER);
      out += unsafe ? JSON.stringify(exactInteger(digits)) : digits;
      i += digits.length - 1;
      continue;
    }
    out += ch;
  }
  return JSON.parse(out);
}

export interface FixtureCase {
  /** e.g. `protobuf-text × RecordNameStrategy`. */
  readonly name: string;
  readonly form: Form;
  readonly strategy: Strategy;
  readonly topic: string;
  /** The connector's format config for values and keys (MessageFormat / key_format). */
  readonly messageFormat: Record<string, unknown>;
  readonly keyFormat: Record<string, unknown>;
  /** What the connector must write for each message, in produce order (one partition). */
  readonly expected: ReadonlyArray<{ readonly value: unknown; readonly key: unknown }>;
  /** The subjects the values and keys were registered under. */
  readonly valueSubject: string;
  readonly keySubject: string;
}

/** What the fixture producer prints: the cases it wrote, and the ones it could not write. */
export interface ProducedFixtures {
  readonly cases: FixtureCase[];
  readonly failures: Array<{ readonly name: string; readonly message: string }>;
}
