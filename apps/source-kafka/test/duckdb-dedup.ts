// Airbyte's dedup rule applied in a real SQL engine, for the integration tests of key-based streams.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Message } from './cli.js';

export interface EmittedRecord {
  readonly data: Record<string, unknown>;
  readonly emitted_at: number;
}

export const emittedRecordsOf = (messages: readonly Message[]): EmittedRecord[] =>
  messages.flatMap((m) => (m.type === 'RECORD' ? [m.record as EmittedRecord] : []));

export interface DedupQuery {
  readonly primaryKey: readonly string[];
  readonly cursor: string;
  /** The SQL select list over the surviving rows; `_row` is each row's index in `records`. */
  readonly select: string;
  readonly orderBy: string;
}

/**
 * Lands the records as raw rows (one column per field, as a destination types them) and applies Airbyte's
 * dedup rule: the newest row by cursor, then extraction time, per primary key; rows with
 * `_ab_cdc_deleted_at` set are removed. Returns `select` of the surviving rows.
 */
export async function queryDeduplicated(
  records: readonly EmittedRecord[],
  query: DedupQuery,
): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'source-kafka-dedup-'));
  const file = join(dir, 'raw.jsonl');
  writeFileSync(
    file,
    records
      .map((r, i) => JSON.stringify({ ...r.data, _airbyte_extracted_at: r.emitted_at, _row: i }))
      .join('\n'),
  );
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    await db.run(
      `CREATE TABLE raw AS SELECT * FROM read_json('${file}', format = 'newline_delimited', sample_size = -1)`,
    );
    const pk = query.primaryKey.map((c) => `"${c}"`).join(', ');
    const reader = await db.runAndReadAll(`
      SELECT ${query.select} FROM (
        SELECT *, row_number() OVER (PARTITION BY ${pk} ORDER BY "${query.cursor}" DESC, _airbyte_extracted_at DESC) AS rn
        FROM raw
      )
      WHERE rn = 1 AND _ab_cdc_deleted_at IS NULL
      ORDER BY ${query.orderBy}`);
    return reader.getRowObjectsJS();
  } finally {
    db.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
