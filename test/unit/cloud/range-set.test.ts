import { describe, expect, it } from 'vitest';
import { parseIp } from '../../../src/core/cloud/ip.js';
import { RangeIndex } from '../../../src/core/cloud/range-index.js';
import { ALL_PROVIDERS_MASK, CloudRangeSet, providerMask } from '../../../src/core/cloud/range-set.js';

describe('CloudRangeSet', () => {
  const set = CloudRangeSet.from({
    AWS: RangeIndex.build(['10.0.0.0/8', '2600:1f14::/35', '192.0.2.0/24']).index,
    Azure: ['10.1.0.0/16', '192.0.2.0/24', 'bad entry'],
    GCP: new Set(['10.1.2.0/24']),
    Vultr: ['2600:1f14:1000::/36'],
  });

  it('reports the provider and its most specific network across providers', () => {
    expect(set.find('10.9.9.9')).toEqual({ provider: 'AWS', network: '10.0.0.0/8' });
    expect(set.find('10.1.9.9')).toEqual({ provider: 'Azure', network: '10.1.0.0/16' });
    expect(set.find('10.1.2.3')).toEqual({ provider: 'GCP', network: '10.1.2.0/24' });
    expect(set.find('2600:1f14:1000::1')).toEqual({ provider: 'Vultr', network: '2600:1f14:1000::/36' });
    expect(set.find('2600:1f14::1')).toEqual({ provider: 'AWS', network: '2600:1f14::/35' });
    expect(set.find('::ffff:10.1.2.3')).toEqual({ provider: 'GCP', network: '10.1.2.0/24' });
    expect(set.find('11.0.0.1')).toBeNull();
    expect(set.find('not an ip')).toBeNull();
  });

  it('under a provider filter, walks up to the nearest network of a selected provider', () => {
    expect(set.find('10.1.2.3', ['AWS'])).toEqual({ provider: 'AWS', network: '10.0.0.0/8' });
    expect(set.find('10.1.2.3', new Set(['AWS', 'Azure'] as const))).toEqual({
      provider: 'Azure',
      network: '10.1.0.0/16',
    });
    expect(set.find('10.1.2.3', ['Linode'])).toBeNull();
    expect(set.find('2600:1f14:1000::1', ['AWS'])).toEqual({ provider: 'AWS', network: '2600:1f14::/35' });
    expect(set.find('10.1.2.3', [])).toBeNull();
    expect(set.isCloudIp('10.1.2.3', ['DigitalOcean', 'Linode'])).toBe(false);
    expect(set.isCloudIp('10.1.2.3', ['GCP'])).toBe(true);
    expect(set.isCloudIp(parseIp('10.200.0.1')!, providerMask(['AWS']))).toBe(true);
  });

  it('reports a network shared by several providers under the first selected one in CLOUD_PROVIDERS order', () => {
    expect(set.find('192.0.2.1')).toEqual({ provider: 'AWS', network: '192.0.2.0/24' });
    expect(set.find('192.0.2.1', ['Azure', 'GCP'])).toEqual({ provider: 'Azure', network: '192.0.2.0/24' });
  });

  it('counts distinct valid networks per provider and ignores invalid text', () => {
    expect(set.sizes).toEqual({ AWS: 3, GCP: 1, Azure: 2, DigitalOcean: 0, Linode: 0, Vultr: 1 });
  });

  it('builds from a Map too, and EMPTY matches nothing', () => {
    const fromMap = CloudRangeSet.from(new Map([['Linode', ['1.0.0.0/8']]] as const));
    expect(fromMap.find('1.2.3.4')).toEqual({ provider: 'Linode', network: '1.0.0.0/8' });
    expect(CloudRangeSet.EMPTY.find('1.2.3.4')).toBeNull();
    expect(CloudRangeSet.EMPTY.isCloudIp('::1')).toBe(false);
  });

  it('providerMask ignores unknown names and clamps numbers', () => {
    expect(providerMask(['AWS', 'Nope' as 'AWS'])).toBe(1);
    expect(providerMask(['AWS', 'GCP', 'Azure', 'DigitalOcean', 'Linode', 'Vultr'])).toBe(ALL_PROVIDERS_MASK);
    expect(providerMask(0xffff)).toBe(ALL_PROVIDERS_MASK);
  });
});
