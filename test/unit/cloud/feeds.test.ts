import { describe, expect, it } from 'vitest';
import { GuardCoreError, GuardFeedError } from '../../../src/core/errors.js';
import { DEFAULT_FEED_URLS, looksLikeJson, parseProviderFeed } from '../../../src/core/cloud/feeds.js';
import type { CloudProvider } from '../../../src/core/providers.js';

const json = (value: unknown) => JSON.stringify(value);

function feedError(provider: CloudProvider, body: string, url: string | null = null): GuardFeedError {
  try {
    parseProviderFeed(provider, body, url);
  } catch (error) {
    expect(error).toBeInstanceOf(GuardFeedError);
    expect(error).toBeInstanceOf(GuardCoreError);
    return error as GuardFeedError;
  }
  throw new Error(`expected ${provider} payload to be refused`);
}

describe('parseProviderFeed', () => {
  it('AWS: IPv4 and IPv6 prefixes of service AMAZON only', () => {
    const body = json({
      prefixes: [
        { ip_prefix: '3.5.140.0/22', region: 'ap-northeast-2', service: 'AMAZON' },
        { ip_prefix: '3.5.140.0/22', service: 'EC2' },
        { ip_prefix: '52.95.0.0/16', service: 'S3' },
        { ip_prefix: '3.5.140.0/22', service: 'AMAZON' }, // duplicate
      ],
      ipv6_prefixes: [
        { ipv6_prefix: '2600:1F14::/35', service: 'AMAZON' },
        { ipv6_prefix: '2600:1f18::/33', service: 'EC2' },
      ],
    });
    expect(parseProviderFeed('AWS', body)).toEqual({
      ranges: ['2600:1f14::/35', '3.5.140.0/22'],
      skipped: 0,
      skippedExamples: [],
    });
  });

  it('AWS: a bad prefix among good ones is skipped, counted and shown; the rest is kept', () => {
    const body = json({
      prefixes: [
        { ip_prefix: '3.5.140.0/22', service: 'AMAZON' },
        { ip_prefix: '3.5.140.1/22', service: 'AMAZON' },
        { ip_prefix: 'bogus', service: 'AMAZON' },
        { service: 'AMAZON' },
        { ip_prefix: 'bogus', service: 'EC2' }, // not AMAZON: not ours to judge
        'not an object',
      ],
      ipv6_prefixes: [{ ipv6_prefix: '2600::/200', service: 'AMAZON' }],
    });
    expect(parseProviderFeed('AWS', body)).toEqual({
      ranges: ['3.5.140.0/22'],
      skipped: 5,
      skippedExamples: ['3.5.140.1/22', 'bogus', '(missing prefix)', '(missing prefix)', '2600::/200'],
    });
  });

  it('AWS: a payload without ipv6_prefixes still parses; one without prefixes is refused', () => {
    expect(
      parseProviderFeed('AWS', json({ prefixes: [{ ip_prefix: '1.0.0.0/8', service: 'AMAZON' }] })).ranges,
    ).toEqual(['1.0.0.0/8']);
    expect(feedError('AWS', json({ ipv6_prefixes: [] })).message).toContain('"prefixes" is not a list');
    expect(feedError('AWS', json({ prefixes: [], ipv6_prefixes: {} })).message).toContain(
      '"ipv6_prefixes" is not a list',
    );
  });

  it('GCP: ipv4Prefix or ipv6Prefix per entry; an entry with neither is skipped', () => {
    const body = json({
      prefixes: [{ ipv4Prefix: '34.1.208.0/20', scope: 'x' }, { ipv6Prefix: '2600:1900:8000::/44' }, { scope: 'none' }],
    });
    expect(parseProviderFeed('GCP', body)).toMatchObject({
      ranges: ['2600:1900:8000::/44', '34.1.208.0/20'],
      skipped: 1,
    });
  });

  it('Azure: the AzureCloud tag only; a missing tag or prefix list is refused', () => {
    const doc = (values: unknown[]) => json({ changeNumber: 1, values });
    const body = doc([
      { name: 'ActionGroup', properties: { addressPrefixes: ['4.145.74.52/30'] } },
      { name: 'AzureCloud', properties: { addressPrefixes: ['4.144.0.0/17', '2602:fd5e:1::/63'] } },
    ]);
    expect(parseProviderFeed('Azure', body).ranges).toEqual(['2602:fd5e:1::/63', '4.144.0.0/17']);
    const url = 'https://mirror.example/ServiceTags.json';
    const missing = feedError('Azure', doc([{ name: 'ActionGroup', properties: { addressPrefixes: [] } }]), url);
    expect(missing.provider).toBe('Azure');
    expect(missing.url).toBe(url);
    expect(missing.message).toContain('no "AzureCloud" service tag');
    expect(feedError('Azure', doc([{ name: 'AzureCloud', properties: {} }])).message).toContain('addressPrefixes');
    expect(feedError('Azure', doc([{ name: 'AzureCloud' }])).message).toContain('addressPrefixes');
  });

  it('DigitalOcean and Linode: RFC 8805 CSV, first field, comments and blank lines ignored, CRLF tolerated', () => {
    const csv = [
      '# geofeed',
      '5.101.96.0/21,NL,NL-NH,Amsterdam,1098 XH',
      '',
      '  2600:3c12:0b00::/40 ,US,US-TX,Richardson,',
      '24.144.64.0/22\r',
      'not-a-prefix,US,,,',
    ].join('\n');
    for (const provider of ['DigitalOcean', 'Linode'] as const) {
      expect(parseProviderFeed(provider, csv)).toEqual({
        ranges: ['24.144.64.0/22', '2600:3c12:b00::/40', '5.101.96.0/21'],
        skipped: 1,
        skippedExamples: ['not-a-prefix'],
      });
    }
  });

  it('Vultr: subnets[].ip_prefix', () => {
    const body = json({ subnets: [{ ip_prefix: '8.3.29.0/24' }, { ip_prefix: '2001:19f0:9800::/38' }, { city: 'x' }] });
    expect(parseProviderFeed('Vultr', body)).toMatchObject({
      ranges: ['2001:19f0:9800::/38', '8.3.29.0/24'],
      skipped: 1,
    });
  });

  it('refuses payloads that are unusable as a whole, naming provider and URL', () => {
    const truncated = feedError('AWS', '{"prefixes": [{"ip_prefix": "3.5.14', 'http://127.0.0.1/aws.json');
    expect(truncated.message).toMatch(/^AWS feed unusable: not valid JSON/);
    expect(truncated.url).toBe('http://127.0.0.1/aws.json');
    expect(truncated.cause).toBeInstanceOf(SyntaxError);
    expect(feedError('GCP', '<html>Service Unavailable</html>').message).toContain('not valid JSON');
    expect(feedError('Vultr', '[]').message).toContain('not an object');
    expect(feedError('Vultr', json({ subnets: 'x' })).message).toContain('"subnets" is not a list');
    expect(feedError('Linode', '# only comments\n\n').message).toContain('no entries');
    expect(feedError('DigitalOcean', '').message).toContain('no entries');
    // Everything malformed: nothing usable is left, which is not "a few bad prefixes".
    expect(feedError('DigitalOcean', '<!doctype html>\n<html><body>Oops</body></html>').message).toContain(
      'none of its 2 entries is a valid prefix',
    );
  });

  it('accepts an empty JSON list as "no ranges"', () => {
    expect(parseProviderFeed('GCP', json({ prefixes: [] }))).toEqual({ ranges: [], skipped: 0, skippedExamples: [] });
  });

  it('keeps at most 10 skipped examples while counting all', () => {
    const lines = Array.from({ length: 25 }, (_, i) => `bad${i},XX`)
      .concat('1.0.0.0/8,XX')
      .join('\n');
    const result = parseProviderFeed('Linode', lines);
    expect(result.skipped).toBe(25);
    expect(result.skippedExamples).toHaveLength(10);
    expect(result.ranges).toEqual(['1.0.0.0/8']);
  });
});

describe('feed helpers', () => {
  it('DEFAULT_FEED_URLS are the original fetchers’ URLs, one per provider', () => {
    expect(DEFAULT_FEED_URLS).toEqual({
      AWS: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
      GCP: 'https://www.gstatic.com/ipranges/cloud.json',
      Azure: 'https://www.microsoft.com/en-us/download/details.aspx?id=56519',
      DigitalOcean: 'https://www.digitalocean.com/geo/google.csv',
      Linode: 'https://geoip.linode.com/',
      Vultr: 'https://geofeed.constant.com/?json',
    });
    expect(Object.isFrozen(DEFAULT_FEED_URLS)).toBe(true);
  });

  it('looksLikeJson tells a JSON document from a page or a CSV', () => {
    expect(looksLikeJson('  \n{"a":1}')).toBe(true);
    expect(looksLikeJson('[1]')).toBe(true);
    expect(looksLikeJson('<!DOCTYPE html>')).toBe(false);
    expect(looksLikeJson('1.0.0.0/8,US')).toBe(false);
    expect(looksLikeJson('')).toBe(false);
  });
});
