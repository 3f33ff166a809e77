// Contract between the broker script and every integration test: one typed object with the connection
// details of each listener. Tests get it with `inject('broker')` (vitest) or `readBrokerConnection()`.

// Type-only, so the augmentation below resolves without loading vitest at run time.
import type {} from 'vitest';
import type { ApicurioConnection } from './apicurio.js';

export interface SaslUser {
  readonly username: string;
  readonly password: string;
}

export interface BrokerUsers {
  readonly plain: SaslUser;
  readonly scram256: SaslUser;
  readonly scram512: SaslUser;
}

/** The fake AWS account the MSK IAM listener knows. */
export interface MskIamTestAccount {
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface TlsMaterial {
  /** CA that signed the broker certificate. */
  readonly caPath: string;
  readonly caPem: string;
  /** A second, unrelated CA: for "CA does not match" tests. */
  readonly otherCaPem: string;
  readonly otherCaPath: string;
  /** A client certificate signed by the CA, for mTLS. */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  readonly clientCertPath: string;
  readonly clientKeyPath: string;
}

export interface BrokerConnection {
  readonly kafkaVersion: string;
  readonly plaintext: { readonly brokers: readonly string[] };
  /** SASL over plaintext: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER (unsecured validator). */
  readonly saslPlaintext: {
    readonly brokers: readonly string[];
    readonly users: BrokerUsers;
    readonly mechanisms: readonly string[];
  };
  /** TLS, server authentication only. */
  readonly ssl: { readonly brokers: readonly string[]; readonly tls: TlsMaterial };
  /** TLS with client certificates required. */
  readonly mtls: { readonly brokers: readonly string[]; readonly tls: TlsMaterial };
  /** SASL over TLS, same mechanisms and users as saslPlaintext. */
  readonly saslSsl: {
    readonly brokers: readonly string[];
    readonly users: BrokerUsers;
    readonly mechanisms: readonly string[];
    readonly tls: TlsMaterial;
  };
  /**
   * SASL_SSL with OAUTHBEARER only, validated as Amazon MSK IAM tokens (AWS_MSK_IAM): signed for `region` with
   * `accessKeyId` and its `secretAccessKey`. Its own listener, so the OAUTHBEARER tests above keep the unsecured
   * validator.
   */
  readonly mskIam: {
    readonly brokers: readonly string[];
    readonly tls: TlsMaterial;
    readonly account: MskIamTestAccount;
  };
  /** The KRaft controller listener (PLAINTEXT), for tests of a client pointed at it by mistake. */
  readonly controller: { readonly brokers: readonly string[] };
  /** Folder holding the broker's logs. */
  readonly logDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by the integration project's globalSetup (packages/testkit/src/global-setup.ts). */
    broker: BrokerConnection;
    /** The test schema registry (Apicurio Registry, in-memory), set by the same globalSetup. */
    registry: ApicurioConnection;
  }
}
