/**
 * The catalogue: every property, in id order.
 */
import { BASIC_PROPERTIES } from './basic.js';
import { CLEAR_PROPERTIES } from './clear.js';
import { CONCURRENCY_PROPERTIES } from './concurrency.js';
import { CONTRACT_PROPERTIES } from './contract.js';
import type { PropertyDefinition } from './define.js';
import { MODEL_PROPERTIES } from './model.js';
import { NAME_PROPERTIES } from './names.js';
import { SCALE_PROPERTIES } from './scale.js';
import { TTL_PROPERTIES } from './ttl.js';

/** All properties, sorted by id. */
export const CATALOGUE: readonly PropertyDefinition[] = [
  ...BASIC_PROPERTIES,
  ...TTL_PROPERTIES,
  ...CLEAR_PROPERTIES,
  ...NAME_PROPERTIES,
  ...SCALE_PROPERTIES,
  ...CONCURRENCY_PROPERTIES,
  ...MODEL_PROPERTIES,
  ...CONTRACT_PROPERTIES,
].sort((a, b) => a.id.localeCompare(b.id));
