import { GuardInputError } from './errors.js';
import { describe } from './validate.js';

/** The cloud providers guard-core knows how to fetch and match. */
export const CLOUD_PROVIDERS = ['AWS', 'GCP', 'Azure', 'DigitalOcean', 'Linode', 'Vultr'] as const;

/** A cloud provider name, spelled as in the Python original. */
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** True when `name` is one of {@link CLOUD_PROVIDERS} (case-sensitive). */
export function isCloudProvider(name: unknown): name is CloudProvider {
  return typeof name === 'string' && (CLOUD_PROVIDERS as readonly string[]).includes(name);
}

/**
 * The providers of `providers` in the canonical order of {@link CLOUD_PROVIDERS}, without
 * duplicates. An unknown name (the list is case-sensitive, as in the Python original) or a bare
 * string throws {@link GuardInputError} naming it: a typo must not silently disable blocking.
 */
export function requireProviders(providers: Iterable<string>, field = 'providers'): CloudProvider[] {
  if (
    typeof providers === 'string' ||
    providers === null ||
    typeof providers !== 'object' ||
    typeof (providers as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new GuardInputError(field, `expected a Set or array of provider names, got ${describe(providers)}`);
  }
  const wanted = new Set<CloudProvider>();
  for (const name of providers) {
    if (!isCloudProvider(name)) {
      throw new GuardInputError(field, `unknown provider ${describe(name)} (known: ${CLOUD_PROVIDERS.join(', ')})`);
    }
    wanted.add(name);
  }
  return CLOUD_PROVIDERS.filter((provider) => wanted.has(provider));
}
