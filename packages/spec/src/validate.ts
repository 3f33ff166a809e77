// Structural validation with ajv against the connector's own JSON schema, with ajv's errors turned into
// plain-language problems. For a `oneOf`, only the branch the config picked (by its const discriminator)
// is reported, so a SASL_SSL config never hears about what PLAINTEXT expects.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ConfigProblem } from './errors.js';
import { connectionSchema, type JsonValue } from './schema.js';

// ajv-formats is CommonJS; under NodeNext its callable sits on `default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** Airbyte UI keywords: annotations only, declared so ajv's strict mode accepts them. */
const AIRBYTE_KEYWORDS = ['airbyte_secret', 'order', 'multiline', 'airbyte_hidden', 'always_show', 'group'];

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
    for (const keyword of AIRBYTE_KEYWORDS)
      ajv.addKeyword({ keyword, schemaType: ['boolean', 'number', 'string'] });
    addFormats(ajv, ['date-time', 'uri']);
    compiled = ajv.compile(connectionSchema());
  }
  return compiled;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `/protocol/sasl_mechanism` -> `protocol.sasl_mechanism`. */
function dotted(instancePath: string, child?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.join('.');
}

function at(root: unknown, instancePath: string): unknown {
  let node = root;
  for (const part of instancePath.split('/').slice(1)) {
    if (!isObject(node)) return undefined;
    node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function schemaAt(schemaPath: string): JsonValue | undefined {
  let node: JsonValue | undefined = connectionSchema();
  for (const part of schemaPath.replace(/^#/, '').split('/').slice(1)) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (node !== null && typeof node === 'object') node = node[part];
    else return undefined;
  }
  return node;
}

interface Discriminated {
  readonly property: string;
  /** The const value of each branch, in branch order. */
  readonly values: readonly string[];
  /** Branches that do not require the property, i.e. are picked when it is absent. */
  readonly optionalIn: readonly number[];
}

/** The property every branch of a oneOf pins with `const`, as Airbyte's UI expects. */
function discriminatorOf(branches: readonly JsonValue[]): Discriminated | undefined {
  const first = branches[0];
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return undefined;
  const firstProperties = first.properties;
  if (firstProperties === null || typeof firstProperties !== 'object' || Array.isArray(firstProperties)) {
    return undefined;
  }
  for (const property of Object.keys(firstProperties)) {
    const values: string[] = [];
    const optionalIn: number[] = [];
    for (const [index, branch] of branches.entries()) {
      const constant = schemaAtValue(branch, ['properties', property, 'const']);
      if (typeof constant !== 'string') break;
      values.push(constant);
      const required = schemaAtValue(branch, ['required']);
      if (!Array.isArray(required) || !required.includes(property)) optionalIn.push(index);
    }
    if (values.length === branches.length) return { property, values, optionalIn };
  }
  return undefined;
}

function schemaAtValue(node: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let current = node;
  for (const part of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = current[part];
  }
  return current;
}

const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function describe(error: ErrorObject): ConfigProblem {
  const path = dotted(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: dotted(error.instancePath, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return {
        path: dotted(error.instancePath, String(params.additionalProperty)),
        message: 'is not a known field here',
      };
    case 'type':
      return { path, message: `must be ${article(String(params.type))}` };
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return { path, message: `must be one of ${allowed.join(', ')}` };
    }
    case 'const':
      return { path, message: `must be ${String(params.allowedValue)}` };
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)}` };
    case 'maximum':
      return { path, message: `must be at most ${String(params.limit)}` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters long` };
    case 'maxItems':
      return { path, message: `must list at most ${String(params.limit)} items` };
    case 'format':
      return params.format === 'date-time'
        ? { path, message: 'must be an RFC 3339 date-time, e.g. 2024-01-31T00:00:00Z' }
        : { path, message: `must be a valid ${String(params.format)}` };
    default:
      // ajv's own messages name the rule, never the value.
      return { path, message: error.message ?? `fails the ${error.keyword} rule` };
  }
}

/** Validates against the connection schema; returns every problem, or none. */
export function validateStructure(config: unknown): ConfigProblem[] {
  const validate = validator();
  if (validate(config)) return [];
  const errors = validate.errors ?? [];
  const problems: ConfigProblem[] = [];
  // oneOf schema path -> the branch index the config picked, or null when none is picked.
  const picked = new Map<string, number | null>();

  for (const error of errors) {
    if (error.keyword !== 'oneOf') continue;
    const data = at(config, error.instancePath);
    const branches = schemaAt(error.schemaPath);
    const discriminator = Array.isArray(branches) ? discriminatorOf(branches) : undefined;
    if (!isObject(data) || discriminator === undefined) {
      // Not an object: the `type` error already says so. No discriminator: nothing better to say than ajv.
      if (isObject(data))
        problems.push({ path: dotted(error.instancePath), message: 'matches none of the options' });
      picked.set(error.schemaPath, null);
      continue;
    }
    const value = data[discriminator.property];
    const choices = discriminator.values.join(', ');
    const discriminatorPath = dotted(error.instancePath, discriminator.property);
    let index: number;
    if (value === undefined) {
      index = discriminator.optionalIn[0] ?? -1;
      if (index < 0) problems.push({ path: discriminatorPath, message: `is required: one of ${choices}` });
    } else {
      index = discriminator.values.indexOf(value as string);
      if (index < 0) problems.push({ path: discriminatorPath, message: `must be one of ${choices}` });
    }
    picked.set(error.schemaPath, index < 0 ? null : index);
  }

  const inPickedBranches = (schemaPath: string): boolean => {
    for (const [oneOfPath, index] of picked) {
      if (!schemaPath.startsWith(`${oneOfPath}/`)) continue;
      const branch = Number(schemaPath.slice(oneOfPath.length + 1).split('/')[0]);
      if (index === null || branch !== index) return false;
    }
    return true;
  };

  const branchProblems: ConfigProblem[] = [];
  for (const error of errors) {
    if (error.keyword === 'oneOf' || !inPickedBranches(error.schemaPath)) continue;
    branchProblems.push(describe(error));
  }
  // A picked branch with no errors of its own means the config matched several branches at once.
  for (const error of errors) {
    if (error.keyword !== 'oneOf') continue;
    const index = picked.get(error.schemaPath);
    if (index === null || index === undefined) continue;
    const prefix = `${error.schemaPath}/${index}/`;
    if (!errors.some((other) => other.schemaPath.startsWith(prefix))) {
      branchProblems.push({
        path: dotted(error.instancePath),
        message: 'matches more than one of the options',
      });
    }
  }

  const seen = new Set<string>();
  return [...problems, ...branchProblems].filter((problem) => {
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
