// Protobuf fixtures shared by the unit and broker tests: an Order file that imports a referenced file and
// Google's well-known types, registered through the third-party client.
import Long from 'long';
import { type Fixtures, SchemaType } from './helpers.js';

export const common = `syntax = "proto3";
package fixtures.common;
message Money {
  string currency_code = 1;
  int64 units = 2;
}
`;

export const orders = `syntax = "proto3";
package fixtures.orders;
import "common.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

message Header { string source = 1; }
message Order {
  enum Status { UNKNOWN = 0; PAID = 1; SHIPPED = 2; }
  message Line { string sku = 1; uint32 quantity = 2; }
  string order_id = 1;
  fixtures.common.Money total = 2;
  google.protobuf.Timestamp created_at = 3;
  google.protobuf.StringValue note = 4;
  Status status = 5;
  repeated Line lines = 6;
  map<string, int64> counters = 7;
  bytes payload = 8;
  double weight = 9;
  uint64 big = 10;
  Order parent = 11;
  oneof contact { string email = 12; string phone = 13; }
}
`;

// The third-party client cannot load Google's well-known files on its own, so they are registered as
// references, the way Confluent serializers can register them too.
export const timestampProto = `syntax = "proto3";
package google.protobuf;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
`;
export const wrappersProto = `syntax = "proto3";
package google.protobuf;
message StringValue { string value = 1; }
message Int64Value { int64 value = 1; }
`;

/** Registers the Order file and its references under `subject`; returns the Order file's schema id. */
export async function registerOrders(fixtures: Pick<Fixtures, 'client'>, subject: string): Promise<number> {
  await fixtures.client.register({ type: SchemaType.PROTOBUF, schema: common }, { subject: 'common.proto' });
  await fixtures.client.register(
    { type: SchemaType.PROTOBUF, schema: timestampProto },
    { subject: 'google/protobuf/timestamp.proto' },
  );
  await fixtures.client.register(
    { type: SchemaType.PROTOBUF, schema: wrappersProto },
    { subject: 'google/protobuf/wrappers.proto' },
  );
  const registered = await fixtures.client.register(
    {
      type: SchemaType.PROTOBUF,
      schema: orders,
      references: [
        { name: 'common.proto', subject: 'common.proto', version: 1 },
        { name: 'google/protobuf/timestamp.proto', subject: 'google/protobuf/timestamp.proto', version: 1 },
        { name: 'google/protobuf/wrappers.proto', subject: 'google/protobuf/wrappers.proto', version: 1 },
      ],
    },
    { subject },
  );
  return registered.id;
}

/** An Order as the third-party client takes it: 64-bit numbers as Long, bytes as Buffer. */
export const order = {
  orderId: 'o-1',
  total: { currencyCode: 'EUR', units: Long.fromString('9007199254740993') },
  createdAt: { seconds: 1_700_000_000, nanos: 123_000_000 },
  note: { value: 'leave at door' },
  status: 2,
  lines: [{ sku: 'a', quantity: 2 }],
  counters: { views: 5 },
  payload: Buffer.from([1, 2, 3]),
  weight: 2.5,
  big: Long.fromString('18446744073709551615', true),
  parent: { orderId: 'o-0' },
  phone: '+1',
};

/** The JSON this package must decode `order` to (an unset message is null, unset scalars their defaults). */
export const orderJson = {
  orderId: 'o-1',
  total: { currencyCode: 'EUR', units: 9007199254740993n },
  createdAt: '2023-11-14T22:13:20.123Z',
  note: 'leave at door',
  status: 'SHIPPED',
  lines: [{ sku: 'a', quantity: 2 }],
  counters: { views: 5 },
  payload: 'AQID',
  weight: 2.5,
  big: 18446744073709551615n,
  parent: {
    orderId: 'o-0',
    total: null,
    createdAt: null,
    note: null,
    status: 'UNKNOWN',
    lines: [],
    counters: {},
    payload: '',
    weight: 0,
    big: 0,
    parent: null,
  },
  phone: '+1',
};
