/**
 * vitest setup file: points the sync bridge of every test file at the worker built from source
 * for this run (see `source-worker.ts`).
 */
import { inject } from 'vitest';
import { configureSyncBridge } from '../../src/bridge/runtime.js';

configureSyncBridge({ workerUrl: inject('bridgeWorkerUrl') });
