/**
 * Finds the worker entry: a prebuilt JS file shipped in `dist/`, never TypeScript source (a
 * worker does not inherit the caller's TypeScript loader, and must not depend on it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GuardBridgeStartError } from '../../core/errors.js';

/** File name of the worker entry in `dist/` (a tsup entry). */
export const WORKER_FILE = 'bridge-worker';

/**
 * The worker next to this module in a built package (`dist/bridge-worker.js`, or `.cjs` when this
 * module is the CommonJS build). Running from source (vitest, tsx), it falls back to the built
 * file of the checkout this source belongs to. Throws `GuardBridgeStartError` naming the paths
 * it tried when neither exists.
 */
export function locateWorker(moduleUrl: string = import.meta.url): URL {
  const extension = moduleUrl.endsWith('.cjs') ? '.cjs' : '.js';
  const sibling = new URL(`./${WORKER_FILE}${extension}`, moduleUrl);
  const tried = [fileURLToPath(sibling)];
  if (existsSync(sibling)) return sibling;
  const root = checkoutRoot(fileURLToPath(moduleUrl));
  if (root !== null) {
    const built = join(root, 'dist', `${WORKER_FILE}.js`);
    tried.push(built);
    if (existsSync(built)) return pathToFileURL(built);
  }
  throw new GuardBridgeStartError(
    `sync bridge worker entry not found (looked for ${tried.join(' and ')}). In a checkout, run \`npm run build\`; ` +
      'in a bundled app, ship dist/bridge-worker.js and pass its location with configureSyncBridge({ workerUrl }).',
  );
}

/** The nearest enclosing folder whose package.json names guard-core, or null. */
function checkoutRoot(file: string): string | null {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && packageName(manifest) === 'guard-core') return dir;
    if (dirname(dir) === dir) return null;
  }
}

function packageName(manifest: string): string | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && 'name' in parsed ? String(parsed.name) : null;
  } catch {
    return null;
  }
}
