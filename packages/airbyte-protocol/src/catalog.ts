import { InvalidCatalogError } from './errors.js';
import type { ConfiguredAirbyteCatalog, ConfiguredAirbyteStream } from './messages.js';
import { withoutOptionalNulls } from './optional-nulls.js';
import { describeErrors, protocolValidator } from './schema-validation.js';

const MAX_LISTED_PROBLEMS = 10;

/**
 * Checks a parsed --catalog file against the protocol's ConfiguredAirbyteCatalog and a few rules the schema
 * cannot express (unique streams, a sync mode the stream supports). Optional fields set to `null` count as
 * absent and unknown fields are kept but ignored, as Airbyte's clients write both. Throws
 * InvalidCatalogError (failureType config_error) listing every problem with its path.
 */
export function parseConfiguredCatalog(raw: unknown): ConfiguredAirbyteCatalog {
  const cleaned = withoutOptionalNulls(raw, 'ConfiguredAirbyteCatalog');
  const validate = protocolValidator('ConfiguredAirbyteCatalog');
  if (!validate(cleaned)) {
    throw invalid(describeErrors(validate.errors, 'catalog'));
  }
  const catalog = cleaned as ConfiguredAirbyteCatalog;
  const problems: string[] = [];
  const seen = new Map<string, number>();
  catalog.streams.forEach((configured, index) => {
    const label = `catalog.streams[${index}] (stream '${streamKey(configured)}')`;
    const key = streamKey(configured);
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${label} repeats catalog.streams[${first}]`);
    else seen.set(key, index);
    if (!configured.stream.supported_sync_modes.includes(configured.sync_mode)) {
      problems.push(
        `${label} has sync_mode '${configured.sync_mode}' but the stream supports only ${configured.stream.supported_sync_modes.join(', ')}`,
      );
    }
  });
  if (problems.length > 0) throw invalid(problems);
  return catalog;
}

function streamKey(configured: ConfiguredAirbyteStream): string {
  const { namespace, name } = configured.stream;
  return namespace === undefined ? name : `${namespace}.${name}`;
}

function invalid(problems: readonly string[]): InvalidCatalogError {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  const more = problems.length - listed.length;
  return new InvalidCatalogError(
    `Invalid configured catalog: ${listed.join('; ')}${more > 0 ? `; and ${more} more problem(s)` : ''}.`,
  );
}
