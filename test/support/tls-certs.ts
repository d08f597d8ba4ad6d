/**
 * Throwaway TLS material for tests, made with openssl in a temp dir: a CA, a server certificate
 * it signed (for `localhost` and 127.0.0.1), a client certificate it signed (mutual TLS), and an
 * unrelated CA that signed nothing here (the "wrong CA").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Paths (and PEM text) of the generated material. */
export interface TestTlsMaterial {
  readonly dir: string;
  readonly caFile: string;
  readonly wrongCaFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** The client key's PEM text (to check it never leaks). */
  readonly clientKeyPem: string;
  /** Removes the temp dir. */
  dispose(): void;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-sha256',
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-out',
    `${name}.crt`,
  ]);
}

function makeSigned(dir: string, name: string, ext: string): void {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

/**
 * The redis-server directives that serve TLS on `port` with this material, as `[name, value]`
 * pairs: `--name value` on a command line ({@link tlsServerArgs}), `name value` in a config file.
 * `authClients` `'yes'` requires a client certificate signed by the CA (mutual TLS).
 */
export function tlsServerDirectives(tls: TestTlsMaterial, port: number, authClients: 'yes' | 'no'): [string, string][] {
  return [
    ['tls-port', String(port)],
    ['tls-cert-file', tls.serverCertFile],
    ['tls-key-file', tls.serverKeyFile],
    ['tls-ca-cert-file', tls.caFile],
    ['tls-auth-clients', authClients],
  ];
}

/** {@link tlsServerDirectives} as redis-server command-line arguments. */
export function tlsServerArgs(tls: TestTlsMaterial, port: number, authClients: 'yes' | 'no'): string[] {
  return tlsServerDirectives(tls, port, authClients).flatMap(([name, value]) => [`--${name}`, value]);
}

/** Generates the material (about 100 ms). Call `dispose()` when done. */
export function makeTestTls(): TestTlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'guard-core-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'wrong-ca');
  makeSigned(dir, 'server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  makeSigned(dir, 'client', 'extendedKeyUsage=clientAuth\n');
  const file = (name: string): string => join(dir, name);
  return {
    dir,
    caFile: file('ca.crt'),
    wrongCaFile: file('wrong-ca.crt'),
    serverCertFile: file('server.crt'),
    serverKeyFile: file('server.key'),
    clientCertFile: file('client.crt'),
    clientKeyFile: file('client.key'),
    clientKeyPem: readFileSync(file('client.key'), 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
