import { describe, expect, it } from 'vitest';
import { azureChoiceAgeDays, chooseAzureDownload, findAzureDownloadUrl } from '../../../src/core/cloud/azure-page.js';

const NOW = new Date('2025-07-24T12:00:00Z');
const DL = 'https://download.microsoft.com/download/7/1/d/71d86715';
const tags = (yyyymmdd: string) => `${DL}/ServiceTags_Public_${yyyymmdd}.json`;

describe('findAzureDownloadUrl', () => {
  it('takes the failoverLink anchor first, whatever the attribute order', () => {
    const html = `
      <a href="${tags('20250714')}" class="x">older link</a>
      <a class="mscom-link failoverLink" data-bi-id="x" href="${tags('20250721')}" id="failoverLink">click here</a>
      <script>var u = "${tags('20250722')}";</script>`;
    expect(chooseAzureDownload(html, NOW)).toEqual({
      url: tags('20250721'),
      published: new Date('2025-07-21T00:00:00Z'),
      rule: 'failoverLink',
    });
  });

  it('decodes HTML entities before reading links', () => {
    const html = `<a id=&quot;x&quot; href="${DL}/ServiceTags_Public_20250721.json?a=1&amp;b=2" id='failoverLink'>x</a>`;
    expect(findAzureDownloadUrl(html, NOW)).toBe(`${tags('20250721')}?a=1&b=2`);
    const encoded = `<a id="failoverLink" href="https:&#x2F;&#x2F;download.microsoft.com&#47;x&#x2F;ServiceTags_Public_20250721.json">`;
    expect(findAzureDownloadUrl(encoded, NOW)).toBe(
      'https://download.microsoft.com/x/ServiceTags_Public_20250721.json',
    );
  });

  it('without failoverLink, picks the newest dated ServiceTags URL anywhere in the page (e.g. a script blob)', () => {
    const html = `
      <script>window.__DLCDetails__={"files":[{"url":"${tags('20250707')}"},{"url":"${tags('20250721')}"}]}</script>
      <a href="${tags('20250714')}">a</a>`;
    expect(chooseAzureDownload(html, NOW)).toMatchObject({ url: tags('20250721'), rule: 'newestServiceTags' });
  });

  it('ignores future dates and impossible dates (they rank as undated)', () => {
    const html = `${tags('20250801')} ${tags('20250231')} ${tags('20250601')}`;
    expect(findAzureDownloadUrl(html, NOW)).toBe(tags('20250601'));
    // Only undated candidates: the greatest URL text wins (the original's tie-break).
    const undated = `${tags('20991231')} ${DL}/ServiceTags_Public_latest.json`;
    expect(chooseAzureDownload(undated, NOW)).toMatchObject({
      url: `${DL}/ServiceTags_Public_latest.json`, // 'l' > '2'
      published: null,
    });
  });

  it('breaks a date tie by URL text', () => {
    const html = `https://download.microsoft.com/a/ServiceTags_Public_20250721.json https://download.microsoft.com/b/ServiceTags_Public_20250721.json`;
    expect(findAzureDownloadUrl(html, NOW)).toBe('https://download.microsoft.com/b/ServiceTags_Public_20250721.json');
  });

  it('falls back to any JSON href on the trusted host', () => {
    const html = `<a href="https://evil.example/x.json">no</a><a href="${DL}/other-file.json">yes</a>`;
    expect(chooseAzureDownload(html, NOW)).toMatchObject({
      url: `${DL}/other-file.json`,
      rule: 'anyJson',
      published: null,
    });
  });

  it('never follows an untrusted link: wrong host, plain http, look-alike host', () => {
    const html = `
      <a id="failoverLink" href="https://evil.example/ServiceTags_Public_20250721.json">x</a>
      http://download.microsoft.com/ServiceTags_Public_20250722.json
      https://download.microsoft.com.evil.example/ServiceTags_Public_20250723.json
      <a href="https://evil.example/data.json">y</a>`;
    expect(findAzureDownloadUrl(html, NOW)).toBeNull();
    expect(findAzureDownloadUrl('<html>nothing here</html>', NOW)).toBeNull();
  });

  it('also trusts links on the page’s own origin (a mirror or a local fixture server), and only those', () => {
    const page = 'http://127.0.0.1:8080/azure/details.html';
    const html = `<a id="failoverLink" href="http://127.0.0.1:8080/files/ServiceTags_Public_20250721.json">x</a>`;
    expect(findAzureDownloadUrl(html, NOW, page)).toBe('http://127.0.0.1:8080/files/ServiceTags_Public_20250721.json');
    expect(findAzureDownloadUrl(html, NOW)).toBeNull();
    expect(findAzureDownloadUrl(html, NOW, 'http://127.0.0.1:9090/page')).toBeNull();
  });

  it('reports the age of the chosen file in days', () => {
    const choice = chooseAzureDownload(tags('20250401'), NOW)!;
    expect(azureChoiceAgeDays(choice, NOW)).toBe(114);
    expect(azureChoiceAgeDays({ url: 'x', published: null, rule: 'anyJson' }, NOW)).toBeNull();
  });
});
