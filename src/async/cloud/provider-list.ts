/**
 * Validation of the provider lists callers pass to the cloud APIs.
 */
import { GuardInputError } from '../../core/errors.js';
import { CLOUD_PROVIDERS, isCloudProvider, type CloudProvider } from '../../core/providers.js';
import { describe } from '../../core/validate.js';

/**
 * The providers of `providers` in the canonical order of {@link CLOUD_PROVIDERS}, without
 * duplicates. An unknown name (the list is case-sensitive, as in the Python original) or a bare
 * string throws {@link GuardInputError} naming it: a typo must not silently disable blocking.
 */
export function requireProviders(providers: Iterable<string>, field = 'providers'): CloudProvider[] {
  if (typeof providers === 'string' || providers === null || typeof providers !== 'object') {
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
