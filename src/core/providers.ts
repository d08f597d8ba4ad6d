/** The cloud providers guard-core knows how to fetch and match. */
export const CLOUD_PROVIDERS = ['AWS', 'GCP', 'Azure', 'DigitalOcean', 'Linode', 'Vultr'] as const;

/** A cloud provider name, spelled as in the Python original. */
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** True when `name` is one of {@link CLOUD_PROVIDERS} (case-sensitive). */
export function isCloudProvider(name: unknown): name is CloudProvider {
  return typeof name === 'string' && (CLOUD_PROVIDERS as readonly string[]).includes(name);
}
