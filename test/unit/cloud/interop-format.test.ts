/**
 * The newest Python guard-core's cloud cache formats, without Redis: `cidr|region` entries, the
 * exact bytes of `cloud_ip_v2` and `cloud_ranges_v2` (vectors in test/fixtures/python-interop),
 * how a cached value is judged (used / refetched and overwritten / left alone), regions from the
 * feeds, and the carve-out selectors of the configuration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  encodeCachedRanges,
  judgeJsonValue,
  judgeLegacyValue,
  parseCloudSelector,
} from '../../../src/core/cloud/cache-format.js';
import { parseProviderFeed } from '../../../src/core/cloud/feeds.js';
import { parseSecurityConfig } from '../../../src/core/config.js';
import { GuardConfigError } from '../../../src/core/errors.js';
import { pythonJsonStringList, sortByCodePoint } from '../../../src/core/python-json.js';

const DIR = join(import.meta.dirname, '../../fixtures/python-interop');
const vector = (name: string) => readFileSync(join(DIR, name), 'utf8');
const FOREIGN = JSON.parse(vector('foreign-values.json')) as { label: string; value: string }[];

function feed(provider: 'AWS' | 'GCP') {
  const regions = new Map<string, string>();
  const file = provider === 'AWS' ? 'aws-feed.json' : 'gcp-feed.json';
  const { ranges } = parseProviderFeed(provider, vector(file), null, { regions });
  return { ranges, regions };
}

describe('Python v2 cache bytes', () => {
  it.each(['AWS', 'GCP'] as const)('%s: the feed regions, encoded and sorted, equal the original bytes', (provider) => {
    const { ranges, regions } = feed(provider);
    const entries = encodeCachedRanges(ranges, regions, true);
    expect(pythonJsonStringList(sortByCodePoint(entries))).toBe(vector(`cloud_ip_v2-${provider}.txt`));
    expect(sortByCodePoint(entries).join(',')).toBe(vector(`cloud_ranges_v2-${provider}.txt`));
  });

  it('keeps the AWS region and GCP scope per network; ignores non-AMAZON services', () => {
    const aws = feed('AWS');
    expect(aws.regions.get('52.94.76.0/22')).toBe('us-west-2');
    expect(aws.regions.get('15.230.0.0/16')).toBe('GLOBAL');
    expect(aws.ranges).not.toContain('54.239.0.0/20');
    expect(feed('GCP').regions.get('2600:1900:4000::/44')).toBe('us-central1');
  });

  it('keeps the regions of the real snapshots (test/fixtures/cloud-ranges): AWS region, GCP scope', () => {
    const real = join(import.meta.dirname, '../../fixtures/cloud-ranges');
    const aws = JSON.parse(readFileSync(join(real, 'aws-ip-ranges.json'), 'utf8')) as {
      prefixes: { ip_prefix: string; region: string; service: string }[];
    };
    const regions = new Map<string, string>();
    const { ranges } = parseProviderFeed('AWS', readFileSync(join(real, 'aws-ip-ranges.json'), 'utf8'), null, {
      regions,
    });
    expect(regions.size).toBe(ranges.length); // every AMAZON entry names a region
    const sample = aws.prefixes.find((p) => p.service === 'AMAZON' && p.region === 'us-east-1')!;
    expect(regions.get(sample.ip_prefix)).toBe('us-east-1');
    const gcpRegions = new Map<string, string>();
    const gcp = parseProviderFeed('GCP', readFileSync(join(real, 'google-cloud-ip-ranges.json'), 'utf8'), null, {
      regions: gcpRegions,
    });
    expect(gcpRegions.get('34.35.0.0/16')).toBe('africa-south1');
    expect(gcpRegions.size).toBe(gcp.ranges.length);
    const none = new Map<string, string>();
    parseProviderFeed('Vultr', readFileSync(join(real, 'vultr-geofeed.json'), 'utf8'), null, { regions: none });
    expect(none.size).toBe(0);
  });

  it('without a region sink the result keeps its old shape', () => {
    expect(Object.keys(parseProviderFeed('AWS', vector('aws-feed.json')))).toEqual([
      'ranges',
      'skipped',
      'skippedExamples',
    ]);
  });

  it('plain encoding (the seed layout) drops regions', () => {
    const { ranges, regions } = feed('AWS');
    expect(encodeCachedRanges(ranges, regions, false)).toEqual(ranges);
  });
});

describe('judging a cached value', () => {
  it('reads the original value back losslessly, regions included', () => {
    const verdict = judgeJsonValue(vector('cloud_ip_v2-AWS.txt'));
    expect(verdict.kind).toBe('entries');
    if (verdict.kind !== 'entries') return;
    expect(verdict.hasRegions).toBe(true);
    expect(verdict.regions.get('52.94.76.0/22')).toBe('us-west-2');
    const again = pythonJsonStringList(sortByCodePoint(encodeCachedRanges(verdict.cidrs, verdict.regions, true)));
    expect(again).toBe(vector('cloud_ip_v2-AWS.txt'));
  });

  it('reads the newer legacy value (comma-joined cidr|region)', () => {
    const verdict = judgeLegacyValue(vector('cloud_ranges_v2-GCP.txt'));
    expect(verdict).toMatchObject({ kind: 'entries', hasRegions: true });
    if (verdict.kind === 'entries') expect(verdict.cidrs).toHaveLength(5);
  });

  it('plain CIDRs (the seed layout, compact JSON too) are entries without regions', () => {
    expect(judgeJsonValue('["10.0.0.0/8","3.5.140.0/22"]')).toMatchObject({ kind: 'entries', hasRegions: false });
  });

  it.each([
    ['an invalid CIDR word', '["3.5.140.0/22", "not-a-cidr"]'],
    ['host bits set', '["10.0.0.1/8"]'],
    ['an empty list', '[]'],
    ['an invalid network with a region', '["300.1.0.0/16|us-east-1"]'],
  ])('a known format with bad data (%s) is invalid: refetched and overwritten', (_label, value) => {
    expect(judgeJsonValue(value).kind).toBe('invalid');
  });

  it.each(FOREIGN.map((f) => [f.label, f.value]))('a format not fully understood (%s) is foreign', (_l, value) => {
    expect(judgeJsonValue(value).kind).toBe('foreign');
  });

  it('a JSON value in a legacy (comma) namespace is foreign', () => {
    expect(judgeLegacyValue('["52.94.76.0/22|us-west-2"]').kind).toBe('foreign');
  });
});

describe('carve-out selectors', () => {
  it('parses Provider:!region, as the original splits at ":!"', () => {
    expect(parseCloudSelector('AWS')).toEqual({ provider: 'AWS', carveOut: null });
    expect(parseCloudSelector('AWS:!us-east-1')).toEqual({ provider: 'AWS', carveOut: 'us-east-1' });
  });

  it('blockCloudProviders keeps bare names and collects the carve-outs', () => {
    const config = parseSecurityConfig({
      blockCloudProviders: ['AWS:!us-east-1', 'AWS:!GLOBAL', 'GCP', 'Azure'],
      cloudRegionCarveOuts: { GCP: ['us-east1'] },
    });
    expect(config.blockCloudProviders).toEqual(new Set(['AWS', 'GCP', 'Azure']));
    expect(config.cloudRegionCarveOuts).toEqual({ GCP: ['us-east1'], AWS: ['GLOBAL', 'us-east-1'] });
    expect(config.cloudCacheLayout).toBe('seed');
    // A parsed config spread into a new one keeps its carve-outs.
    expect(parseSecurityConfig({ ...config, logger: undefined }).cloudRegionCarveOuts).toEqual(
      config.cloudRegionCarveOuts,
    );
  });

  it.each([
    ['an unknown provider', ['Nimbus:!us-east-1'], /unknown provider "Nimbus"/],
    ['a colon without "!"', ['AWS:us-east-1'], /malformed selector "AWS:us-east-1"/],
    ['an empty region', ['AWS:!'], /malformed selector "AWS:!"/],
    ['a region with a space', ['AWS:!us east'], /malformed selector/],
    ['a second selector in one', ['AWS:!us-east-1:!eu-west-1'], /malformed selector/],
    ['a provider without regions', ['Azure:!westeurope'], /Azure's feed carries no regions/],
  ])('%s is a GuardConfigError naming the selector', (_label, selectors, message) => {
    let error: unknown;
    try {
      parseSecurityConfig({ blockCloudProviders: selectors });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GuardConfigError);
    expect((error as GuardConfigError).field).toBe('blockCloudProviders');
    expect((error as GuardConfigError).code).toBe('GUARD_CONFIG');
    expect((error as Error).message).toMatch(message);
  });

  it('cloudRegionCarveOuts and cloudCacheLayout are validated', () => {
    const fieldOf = (input: object) => {
      try {
        parseSecurityConfig(input);
      } catch (e) {
        return (e as GuardConfigError).field;
      }
      return null;
    };
    expect(fieldOf({ cloudRegionCarveOuts: { Linode: ['us-east'] } })).toBe('cloudRegionCarveOuts.Linode');
    expect(fieldOf({ cloudRegionCarveOuts: { AWS: ['us|east'] } })).toBe('cloudRegionCarveOuts.AWS.0');
    expect(fieldOf({ cloudCacheLayout: 'python-v3' })).toBe('cloudCacheLayout');
    expect(fieldOf({ cloudCacheLayout: 'python-v2' })).toBeNull();
  });
});
