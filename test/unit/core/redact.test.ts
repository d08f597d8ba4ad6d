import { describe, expect, test } from 'vitest';
import { redactUrl } from '../../../src/index.js';
import { scrubSecrets } from '../../../src/core/redact.js';

describe('redactUrl', () => {
  test.each([
    ['redis://:secret@localhost/0', 'redis://localhost/0'],
    ['redis://:secret-pw@127.0.0.1:6399', 'redis://127.0.0.1:6399'],
    ['redis://admin:pa%40ss@db.internal:6379/2', 'redis://db.internal:6379/2'],
    ['rediss://user@cache:6380', 'rediss://cache:6380'],
    ['redis://localhost:6379', 'redis://localhost:6379'],
    ['redis://[::1]:6379', 'redis://[::1]:6379'],
    ['redis://u:p@[2001:db8::1]:6379/0', 'redis://[2001:db8::1]:6379/0'],
    ['redis://h:1/?password=topsecret&db=2', 'redis://h:1/?password=REDACTED&db=2'],
    [
      'redis://h:1?pass=a&PWD=b&token=c&api_key=d&access-key=e&family=6',
      'redis://h:1?pass=REDACTED&PWD=REDACTED&token=REDACTED&api_key=REDACTED&access-key=REDACTED&family=6',
    ],
  ])('%s → %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
  });

  test('null and undefined stay null', () => {
    expect(redactUrl(null)).toBeNull();
    expect(redactUrl(undefined)).toBeNull();
  });

  test('an unparseable URL never leaks: only its scheme survives', () => {
    expect(redactUrl('redis://:secret@[bad')).toBe('redis://<unparseable>');
    expect(redactUrl('no scheme secret')).toBe('<unparseable>');
  });
});

describe('scrubSecrets', () => {
  test('removes the password, the user name and secret query values from free text', () => {
    const url = 'redis://admin:S3cretPw@db:6379/?password=QuerySecret';
    const text = 'failed AUTH admin S3cretPw at db (QuerySecret); again S3cretPw';
    const scrubbed = scrubSecrets(text, url);
    for (const secret of ['S3cretPw', 'QuerySecret', 'admin']) expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('db');
  });

  test('also removes the percent-decoded form of an encoded password', () => {
    expect(scrubSecrets('auth p@ss:w0rd failed', 'redis://:p%40ss%3Aw0rd@h:1')).not.toContain('p@ss:w0rd');
  });

  test('leaves text alone when the URL has no secret or is missing', () => {
    expect(scrubSecrets('connect ECONNREFUSED 127.0.0.1:1', 'redis://127.0.0.1:1')).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(scrubSecrets('anything', null)).toBe('anything');
    expect(scrubSecrets('anything', 'not a url')).toBe('anything');
  });
});
