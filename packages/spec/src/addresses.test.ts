import { describe, expect, it } from 'vitest';
import { parseBootstrapServers, parseTopicPartitions } from './addresses.js';

describe('parseBootstrapServers', () => {
  it('parses host:port pairs, trimming spaces and skipping empty entries', () => {
    expect(parseBootstrapServers(' b1:9092 ,b2.example.com:9093,, 10.0.0.1:19092 ,')).toEqual({
      values: ['b1:9092', 'b2.example.com:9093', '10.0.0.1:19092'],
      problems: [],
    });
  });

  it('keeps IPv6 addresses in brackets', () => {
    expect(parseBootstrapServers('[::1]:9092,[2001:db8::2]:9093').values).toEqual([
      '[::1]:9092',
      '[2001:db8::2]:9093',
    ]);
  });

  it('drops a listener prefix and duplicates', () => {
    expect(parseBootstrapServers('PLAINTEXT://b1:9092, b1:9092').values).toEqual(['b1:9092']);
  });

  it('reports each bad entry and keeps the good ones', () => {
    const parsed = parseBootstrapServers('b1:9092, b2, b3:0');
    expect(parsed.values).toEqual(['b1:9092']);
    expect(parsed.problems).toEqual([
      '"b2" has no port; expected host:port, e.g. b2:9092',
      '"b3:0" has an invalid port; expected a number from 1 to 65535',
    ]);
  });

  it.each(['b1:9092 b2:9092', 'b1:9092;b2:9092', 'b1:9092; b2:9092'])(
    'asks for commas when brokers are separated otherwise: %s',
    (entry) => {
      expect(parseBootstrapServers(entry).problems).toEqual([
        `"${entry}" holds more than one address; separate brokers with commas, e.g. broker1:9092,broker2:9092`,
      ]);
    },
  );

  it('says a bracketed IPv6 address without a port has no port', () => {
    expect(parseBootstrapServers('[::1]').problems).toEqual([
      '"[::1]" has no port; expected [address]:port, e.g. [::1]:9092',
    ]);
  });

  it('still asks for brackets around a bare IPv6 address', () => {
    expect(parseBootstrapServers('::1:9092').problems).toEqual([
      '"::1:9092" looks like an IPv6 address; write it in brackets, e.g. [::1]:9092',
    ]);
  });

  it.each(['-b1:9092', 'b1-:9092', 'b_1..x:9092', `${'a'.repeat(64)}:9092`])(
    'rejects the host of %s',
    (entry) => {
      expect(parseBootstrapServers(entry).problems).toEqual([`"${entry}" has an invalid host name`]);
    },
  );
});

describe('parseTopicPartitions', () => {
  it('parses the Java format', () => {
    expect(parseTopicPartitions('sample.topic:0, sample.topic:1').values).toEqual([
      { topic: 'sample.topic', partition: 0 },
      { topic: 'sample.topic', partition: 1 },
    ]);
  });

  it('allows spaces around the colon and drops duplicates', () => {
    expect(parseTopicPartitions('a : 1, a:1, b_c-d.e:0').values).toEqual([
      { topic: 'a', partition: 1 },
      { topic: 'b_c-d.e', partition: 0 },
    ]);
  });

  it.each(['a:', 'a:1:2', 'a:1.5', 'a:+1', 'a:0x1'])('rejects %s', (entry) => {
    expect(parseTopicPartitions(`ok:0, ${entry}`).problems).toHaveLength(1);
  });

  it('rejects the reserved topic names . and ..', () => {
    expect(parseTopicPartitions('.:0').problems).toHaveLength(1);
    expect(parseTopicPartitions('..:0').problems).toHaveLength(1);
  });
});
