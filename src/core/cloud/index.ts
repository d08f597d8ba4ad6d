/**
 * Cloud-provider ranges, pure part: address and CIDR parsing, the range index, the multi-provider
 * range set, and the providers' feed parsers.
 */
export { parseIp, formatIp, type ParsedIp } from './ip.js';
export { parseCidr, canonicalCidr, type ParsedCidr, type CidrParseResult } from './cidr.js';
export { RangeIndex, type BuiltRangeIndex } from './range-index.js';
export {
  CloudRangeSet,
  providerMask,
  ALL_PROVIDERS_MASK,
  type CloudMatch,
  type ProviderRanges,
  type ProviderSelection,
} from './range-set.js';
export {
  parseProviderFeed,
  looksLikeJson,
  DEFAULT_FEED_URLS,
  DEFAULT_FEED_FILES,
  AZURE_CLOUD_TAG,
  MAX_SKIPPED_EXAMPLES,
  findAzureDownloadUrl,
  chooseAzureDownload,
  type AzureDownloadChoice,
  type FeedParseResult,
} from './feeds.js';
export {
  encodeCachedRange,
  encodeCachedRanges,
  judgeEntries,
  judgeJsonValue,
  judgeLegacyValue,
  parseCloudSelector,
  PROVIDERS_WITH_REGIONS,
  REGION_PATTERN,
  REGION_SEPARATOR,
  type CachedValueVerdict,
  type CloudSelector,
} from './cache-format.js';
