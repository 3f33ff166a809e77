import Long from 'long';
import protobuf from 'protobufjs';
import descriptorExtension from 'protobufjs/ext/descriptor/index.js';
import { noteNulled, nulledCount, prefixNulled } from './nulled.js';
import type { JsonValue } from './types.js';

// protobufjs finds `long` through a dynamic require that fails under ESM loaders; without it, 64-bit fields
// decode to lossy doubles. Setting it explicitly keeps int64 exact.
if (protobuf.util.Long !== Long) {
  protobuf.util.Long = Long;
  protobuf.configure();
}

// Protobuf decoding with protobufjs and a JSON mapping close to proto3's canonical JSON:
// field names in lowerCamelCase (or json_name); enums by name; bytes as base64; int64 family like Avro long
// (number when safe, else an exact bigint); NaN/±Infinity → null; well-known types by value
// (Timestamp → RFC 3339, Duration → "1.5s", wrappers → their value, Struct/Value/ListValue → JSON).

export interface ProtobufSource {
  /** The import name other files use for it (the reference name); the main file's name is irrelevant. */
  readonly name: string;
  /** `.proto` text, or a base64 `FileDescriptorProto` (what confluent-kafka-python registers). */
  readonly schema: string;
}

const parseOptions = { keepCase: false, alternateCommentMode: false } as const;

export interface ProtobufSchema {
  readonly root: protobuf.Root;
  /** The main file's top-level messages, in declaration order (what message indexes count in). */
  readonly topLevelMessages: readonly protobuf.Type[];
  messageByIndexes(indexes: readonly number[]): protobuf.Type;
}

function messagesOf(namespace: protobuf.NamespaceBase): protobuf.Type[] {
  return namespace.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

// ---- The descriptor form ----

interface FieldDescriptor {
  name: string;
  jsonName?: string;
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
  options?: { mapEntry?: boolean } | null;
}
interface FileDescriptor {
  name: string;
  package: string;
  dependency: string[];
  messageType: MessageDescriptor[];
  enumType: unknown[];
  syntax: string;
  edition?: number;
}

// protobufjs's descriptor extension patches these onto the classes it shares with the main import.
const fromDescriptor = {
  type: (protobuf.Type as unknown as { fromDescriptor(d: MessageDescriptor, edition: string): protobuf.Type })
    .fromDescriptor,
  enum: (protobuf.Enum as unknown as { fromDescriptor(d: unknown, edition: string): protobuf.Enum })
    .fromDescriptor,
};
const fileDescriptorProto = (descriptorExtension as unknown as { FileDescriptorProto: protobuf.Type })
  .FileDescriptorProto;

/**
 * Map entry types built from descriptors. protobufjs's descriptor import keeps a map field as a repeated
 * `XxxEntry` message; the decoder and the schema turn those back into JSON objects.
 */
const mapEntryTypes = new WeakSet<protobuf.Type>();

/** True for the synthetic entry message of a map field read from a descriptor. */
export function isMapEntryType(type: unknown): type is protobuf.Type {
  return type instanceof protobuf.Type && mapEntryTypes.has(type);
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A .proto file always holds `;`, `{` or quotes, which base64 never does, so the alphabet alone tells the
 * forms apart; whether the bytes are a FileDescriptorProto is checked when decoding them.
 */
export function isDescriptorForm(schema: string): boolean {
  const text = schema.trim();
  return text.length > 0 && text.length % 4 === 0 && BASE64.test(text);
}

function decodeFileDescriptor(schema: string, what: string): FileDescriptor {
  let file: FileDescriptor;
  try {
    file = fileDescriptorProto.decode(Buffer.from(schema.trim(), 'base64')) as unknown as FileDescriptor;
  } catch (error) {
    throw new Error(
      `${what} is base64 but not a FileDescriptorProto: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (
    file.messageType.length === 0 &&
    file.enumType.length === 0 &&
    file.name === '' &&
    file.package === ''
  ) {
    throw new Error(`${what} is base64 but decodes to an empty FileDescriptorProto`);
  }
  return file;
}

function editionOf(file: FileDescriptor, what: string): string {
  if (file.syntax === 'proto3') return 'proto3';
  if (file.syntax === '' || file.syntax === 'proto2') return 'proto2';
  if (file.syntax === 'editions' && file.edition === 1000) return '2023';
  throw new Error(
    `${what} uses syntax "${file.syntax}" (edition ${String(file.edition)}), which is not supported`,
  );
}

/** The JSON name protoc derives from a field name: underscores dropped, the next letter upper-cased. */
function protocJsonName(name: string): string {
  return name.replace(/_+([a-zA-Z0-9]?)/g, (_match, next: string) => next.toUpperCase());
}

/** Marks map entries and keeps explicit json_name, which protobufjs's descriptor import drops. */
function completeFromDescriptor(type: protobuf.Type, descriptor: MessageDescriptor): void {
  if (descriptor.options?.mapEntry === true) mapEntryTypes.add(type);
  for (const field of descriptor.field) {
    if (field.jsonName && field.jsonName !== protocJsonName(field.name)) {
      type.fields[field.name]?.setOption('json_name', field.jsonName);
    }
  }
  for (const nested of descriptor.nestedType) {
    const nestedType = type.nested?.[nested.name];
    if (nestedType instanceof protobuf.Type) completeFromDescriptor(nestedType, nested);
  }
}

interface LoadedFile {
  readonly imports: readonly string[];
  /** Fully qualified names of the top-level messages, in declaration order. */
  readonly topLevel: readonly string[];
}

/** Adds one file, in either form, to `root`. Extensions and services are left out: decoding needs neither. */
function loadFile(root: protobuf.Root, schema: string, what: string): LoadedFile {
  if (!isDescriptorForm(schema)) {
    const parsed = protobuf.parse(schema, root, parseOptions);
    // Declaration order of this file alone: parsed again on its own, since `root` holds other files too.
    const own = protobuf.parse(schema, new protobuf.Root(), parseOptions);
    const ownNamespace = own.package ? own.root.lookup(own.package) : own.root;
    const topLevel =
      ownNamespace instanceof protobuf.Namespace
        ? messagesOf(ownNamespace).map((m) => m.fullName.slice(1))
        : [];
    return { imports: parsed.imports ?? [], topLevel };
  }
  const file = decodeFileDescriptor(schema, what);
  const edition = editionOf(file, what);
  const namespace = file.package ? root.define(file.package) : root;
  for (const message of file.messageType) {
    const type = fromDescriptor.type(message, edition);
    namespace.add(type);
    completeFromDescriptor(type, message);
  }
  for (const enumType of file.enumType) namespace.add(fromDescriptor.enum(enumType, edition));
  const prefix = file.package ? `${file.package}.` : '';
  return { imports: file.dependency, topLevel: file.messageType.map((m) => `${prefix}${m.name}`) };
}

/**
 * Builds one root from the main file and its (already fetched) references, plus Google's well-known files.
 * Every file may be `.proto` text or a base64 FileDescriptorProto, independently of the others.
 */
export function parseProtobufSchema(main: string, references: readonly ProtobufSource[]): ProtobufSchema {
  const root = new protobuf.Root();
  const loaded = new Set<string>();
  const imports: string[] = [];
  for (const reference of references) {
    if (loaded.has(reference.name)) continue;
    loaded.add(reference.name);
    imports.push(...loadFile(root, reference.schema, `reference "${reference.name}"`).imports);
  }
  const mainFile = loadFile(root, main, 'the schema');
  imports.push(...mainFile.imports);
  for (const name of imports) {
    if (loaded.has(name)) continue;
    const common = protobuf.common.get(name);
    if (common === null || common === undefined) {
      throw new Error(`import "${name}" is neither a schema reference nor a well-known Google type`);
    }
    loaded.add(name);
    root.addJSON((common as { nested: Record<string, protobuf.AnyNestedObject> }).nested);
  }
  root.resolveAll();

  const topLevelMessages = mainFile.topLevel.map((name) => root.lookupType(name));
  if (topLevelMessages.length === 0) throw new Error('the schema declares no messages');

  return {
    root,
    topLevelMessages,
    messageByIndexes(indexes) {
      let candidates: protobuf.Type[] = topLevelMessages;
      let found: protobuf.Type | undefined;
      for (const index of indexes) {
        found = candidates[index];
        if (found === undefined) {
          throw new Error(
            `message indexes [${indexes.join(', ')}] point past the messages the schema declares`,
          );
        }
        candidates = messagesOf(found);
      }
      if (found === undefined) throw new Error('empty message indexes');
      return found;
    },
  };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

function longJson(value: unknown): number | bigint {
  if (typeof value === 'number') return value;
  const n = BigInt(String(value));
  return n <= MAX_SAFE && n >= MIN_SAFE ? Number(n) : n;
}

function floatJson(value: unknown): JsonValue {
  if (Number.isFinite(value as number)) return value as number;
  noteNulled();
  return null;
}

function bytesJson(value: unknown): JsonValue {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  // protobufjs's default for an absent bytes field is a plain empty array.
  if (Array.isArray(value)) return Buffer.from(value as number[]).toString('base64');
  return '';
}

const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function scalarJson(type: string, value: unknown): JsonValue {
  if (LONG_TYPES.has(type)) return longJson(value);
  if (type === 'double' || type === 'float') return floatJson(value);
  if (type === 'bytes') return bytesJson(value);
  return value as JsonValue;
}

export function timestampText(seconds: unknown, nanos: unknown): string {
  const s = Number(longJson(seconds));
  const ns = typeof nanos === 'number' ? nanos : 0;
  const ms = s * 1000;
  if (
    !Number.isSafeInteger(ms) ||
    ms > 253_402_300_799_999 ||
    ms < -62_135_596_800_000 ||
    ns < 0 ||
    ns > 999_999_999
  ) {
    throw new RangeError('google.protobuf.Timestamp is outside 0001-9999');
  }
  const base = new Date(ms).toISOString().slice(0, 19);
  if (ns === 0) return `${base}Z`;
  const fraction = String(ns).padStart(9, '0');
  const digits = fraction.endsWith('000000') ? 3 : fraction.endsWith('000') ? 6 : 9;
  return `${base}.${fraction.slice(0, digits)}Z`;
}

export function durationText(seconds: unknown, nanos: unknown): string {
  const s = BigInt(String(seconds));
  const ns = typeof nanos === 'number' ? nanos : 0;
  if (ns === 0) return `${s}s`;
  const negative = s < 0n || ns < 0;
  const absS = s < 0n ? -s : s;
  const fraction = String(Math.abs(ns)).padStart(9, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${absS}.${fraction}s`;
}

type Msg = Record<string, unknown>;

function structValueJson(value: Msg | null | undefined): JsonValue {
  if (value === null || value === undefined) return null;
  const kind = value.kind as string | undefined;
  switch (kind) {
    case 'nullValue':
      return null;
    case 'numberValue':
      return floatJson(value.numberValue);
    case 'stringValue':
      return value.stringValue as string;
    case 'boolValue':
      return value.boolValue as boolean;
    case 'structValue':
      return structJson(value.structValue as Msg | undefined);
    case 'listValue':
      return listJson(((value.listValue as Msg | undefined)?.values as Msg[] | undefined) ?? []);
    default:
      return null;
  }
}

function structJson(value: Msg | null | undefined): JsonValue {
  const out: { [key: string]: JsonValue } = {};
  const fields = (value?.fields ?? {}) as Record<string, Msg>;
  for (const key of Object.keys(fields)) {
    const at = nulledCount();
    out[key] = structValueJson(fields[key]);
    if (nulledCount() > at) prefixNulled(at, key);
  }
  return out;
}

function listJson(values: readonly Msg[]): JsonValue {
  return values.map((item, i) => {
    const at = nulledCount();
    const json = structValueJson(item);
    if (nulledCount() > at) prefixNulled(at, String(i));
    return json;
  });
}

/** Well-known types mapped to plain JSON; undefined when `type` is an ordinary message. */
function wellKnownJson(type: protobuf.Type, message: Msg): JsonValue | undefined {
  switch (type.fullName) {
    case '.google.protobuf.Timestamp':
      return timestampText(message.seconds ?? 0, message.nanos);
    case '.google.protobuf.Duration':
      return durationText(message.seconds ?? 0, message.nanos);
    case '.google.protobuf.DoubleValue':
    case '.google.protobuf.FloatValue':
      return floatJson(message.value ?? 0);
    case '.google.protobuf.Int64Value':
    case '.google.protobuf.UInt64Value':
      return longJson(message.value ?? 0);
    case '.google.protobuf.Int32Value':
    case '.google.protobuf.UInt32Value':
      return (message.value as number | undefined) ?? 0;
    case '.google.protobuf.BoolValue':
      return (message.value as boolean | undefined) ?? false;
    case '.google.protobuf.StringValue':
      return (message.value as string | undefined) ?? '';
    case '.google.protobuf.BytesValue':
      return message.value ? bytesJson(message.value) : '';
    case '.google.protobuf.Struct':
      return structJson(message);
    case '.google.protobuf.Value':
      return structValueJson(message);
    case '.google.protobuf.ListValue':
      return listJson((message.values as Msg[] | undefined) ?? []);
    case '.google.protobuf.FieldMask':
      return ((message.paths as string[] | undefined) ?? []).join(',');
    case '.google.protobuf.Any':
      return {
        '@type': (message.typeUrl as string | undefined) ?? '',
        value: bytesJson(message.value ?? new Uint8Array()),
      };
    default:
      return undefined;
  }
}

/**
 * protobufjs keys maps with 64-bit keys by an 8-character binary "hash" of the number (it sets `long` up
 * above, so every such key is one); JSON wants the decimal text.
 */
function mapKeyJson(keyType: string, key: string): string {
  if (!LONG_TYPES.has(keyType)) return key;
  const unsigned = keyType === 'uint64' || keyType === 'fixed64';
  return protobuf.util.LongBits.fromHash(key).toLong(unsigned).toString();
}

/**
 * json_name, else the lowerCamelCase name protobufjs gives a parsed field (fields read from a descriptor keep
 * their declared snake_case names, so the same conversion is applied to them here: it leaves parsed names as
 * they are).
 */
export function jsonNameOf(field: protobuf.Field): string {
  let name = jsonNames.get(field);
  if (name === undefined) {
    const jsonName = field.options?.json_name as unknown;
    name = typeof jsonName === 'string' ? jsonName : protobuf.util.camelCase(field.name);
    jsonNames.set(field, name);
  }
  return name;
}

/** Computed once per field: the conversion is a regex replace, and it ran for every field of every message. */
const jsonNames = new WeakMap<protobuf.Field, string>();

function fieldValueJson(field: protobuf.Field, value: unknown): JsonValue {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageToJson(resolved, value as Msg);
  if (resolved instanceof protobuf.Enum) {
    if (resolved.fullName === '.google.protobuf.NullValue') return null;
    const name = resolved.valuesById[value as number];
    return name ?? String(value);
  }
  return scalarJson(field.type, value);
}

/** A map field read from a descriptor: its repeated entries as one JSON object (a later key wins). */
function mapEntriesJson(entryType: protobuf.Type, entries: readonly Msg[]): JsonValue {
  const keyField = entryType.fields.key;
  const valueField = entryType.fields.value;
  const map: { [key: string]: JsonValue } = {};
  if (keyField === undefined || valueField === undefined) return map;
  for (const entry of entries) {
    const key = String(entry.key ?? keyField.defaultValue ?? '');
    const at = nulledCount();
    const value = fieldValueJson(valueField, entry.value ?? null);
    if (nulledCount() > at) prefixNulled(at, key);
    // Plain assignment to "__proto__" would swap the prototype and drop the entry.
    if (key === '__proto__')
      Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
    else map[key] = value;
  }
  return map;
}

/** Unset singular messages become null; unset oneof members are left out; scalars carry their defaults. */
export function messageToJson(type: protobuf.Type, message: Msg | null | undefined): JsonValue {
  if (message === null || message === undefined) return null;
  const wellKnown = wellKnownJson(type, message);
  if (wellKnown !== undefined) return wellKnown;
  const out: { [key: string]: JsonValue } = {};
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    const name = jsonNameOf(field);
    if (field.partOf !== null && field.partOf !== undefined) {
      if (value === null || value === undefined || !Object.hasOwn(message, field.name)) continue;
    }
    const at = nulledCount();
    if (field.map) {
      const map: { [key: string]: JsonValue } = {};
      const entries = (value ?? {}) as Record<string, unknown>;
      const keyType = field instanceof protobuf.MapField ? field.keyType : 'string';
      for (const key of Object.keys(entries)) {
        const mapAt = nulledCount();
        const jsonKey = mapKeyJson(keyType, key);
        map[jsonKey] = fieldValueJson(field, entries[key]);
        if (nulledCount() > mapAt) prefixNulled(mapAt, jsonKey);
      }
      out[name] = map;
    } else if (field.repeated && isMapEntryType(field.resolvedType)) {
      out[name] = mapEntriesJson(field.resolvedType, (value ?? []) as Msg[]);
    } else if (field.repeated) {
      out[name] = ((value ?? []) as unknown[]).map((item, i) => {
        const itemAt = nulledCount();
        const json = fieldValueJson(field, item);
        if (nulledCount() > itemAt) prefixNulled(itemAt, String(i));
        return json;
      });
    } else if (value === null || value === undefined) {
      out[name] = null;
    } else {
      out[name] = fieldValueJson(field, value);
    }
    if (nulledCount() > at) prefixNulled(at, name);
  }
  return out;
}

export function decodeProtobufMessage(type: protobuf.Type, payload: Uint8Array): JsonValue {
  return messageToJson(type, type.decode(payload) as unknown as Msg);
}
