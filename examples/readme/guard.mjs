// One app's guard state, wired at start-up: every subsystem on Redis, or in memory with one warning.
import { HandlerInitializer } from 'guard-core';

const init = new HandlerInitializer({
  redisUrl: process.env.REDIS_URL ?? 'redis://localhost:6379',
  redisPrefix: 'readme-guard:',
  rateLimit: 3, // requests per client per window
  rateLimitWindow: 60,
  endpointRateLimits: { '/login': [2, 60] }, // this path has its own, stricter window
  // blockCloudProviders: ['AWS', 'GCP', 'Azure'], // fetched in the background (lazyInit)
});
await init.initializeRedisHandlers(); // never fails because Redis is down: memory + one warning
try {
  const clientIp = '203.0.113.7'; // from the request (see "Use it in an app" for proxies)
  for (let i = 0; i < 3; i++) {
    const d = await init.rateLimiter.check(clientIp, { endpoint: '/login' });
    console.log(d.allowed, d.remaining, d.retryAfterSeconds); // true 1 0, true 0 0, false 0 60
  }
  await init.ipBans.banIp('198.51.100.0/24', 600, 'scanner'); // a network ban, seen by every replica
  console.log(await init.ipBans.isIpBanned('198.51.100.9')); // true — no Redis round trip
  await init.patterns.addPattern(String.raw`union\s+select`); // checked for ReDoS first
  console.log((await init.patterns.matchContent('id=1 UNION SELECT password')).matched); // [ …, 'union\\s+select' ]
  console.log(await init.securityHeaders.getHeaders()); // { 'Strict-Transport-Security': …, … }
  console.log(init.getInitializationStatus().subsystems); // { 'rate limiter': 'redis', … }
  await init.redisHandler?.deletePattern('*'); // this demo cleans up its keys
} finally {
  await init.close(); // stops the health check and background work: the script exits
}
