// The async API through import.
import { RedisManager, RedisCloudIpStore } from 'guard-core';
import * as asyncEntry from 'guard-core/async';

const [redisUrl, prefix] = process.argv.slice(2);
const manager = new RedisManager({ redisUrl, redisPrefix: prefix });
await manager.initialize();
await manager.setKey('ns', 'k', 'async esm');
const got = await manager.getKey('ns', 'k');
await manager.deletePattern('*');
await manager.close();
process.stdout.write(
  `${JSON.stringify({ got, sameEntry: asyncEntry.RedisManager === RedisManager, hasStore: typeof RedisCloudIpStore })}\n`,
);
