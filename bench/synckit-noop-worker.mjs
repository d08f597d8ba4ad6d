// The reference no-op for bench/bridge.ts: the same identity round trip through synckit.
import { runAsWorker } from 'synckit';

runAsWorker(async (value) => value);
