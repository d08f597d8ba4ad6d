/**
 * The stable ids of the kit's properties. An id never changes meaning; new checks get new ids.
 */

/** Every property the kit knows, in report order. */
export const PROPERTY_IDS = [
  'P01',
  'P02',
  'P03',
  'P04',
  'P05',
  'P06',
  'P07',
  'P08',
  'P09',
  'P10',
  'P11',
  'P12',
  'P13',
  'P14',
  'P15',
  'P16',
  'P17',
  'P18',
  'P19',
  'P20',
  'P21',
  'P22',
  'P23',
  'P24',
  'P25',
  'P27',
] as const;

/** The id of one property, e.g. `P04` (overwrite replaces, never unions). */
export type PropertyId = (typeof PROPERTY_IDS)[number];

/** True when `value` is a known property id. */
export function isPropertyId(value: unknown): value is PropertyId {
  return typeof value === 'string' && (PROPERTY_IDS as readonly string[]).includes(value);
}
