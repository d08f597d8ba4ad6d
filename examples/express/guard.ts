/**
 * An Express guard on guard-core's public API: `createExpressGuard(config)` starts the shared
 * state (a `HandlerInitializer`) and returns a middleware that, per request, adds the security
 * headers, then refuses cloud-provider addresses (403), banned addresses (403) and clients over
 * their rate limit (429 with `Retry-After`).
 *
 * The seed's adapter rule: a `GuardRedisError` during initialization is caught, not thrown at
 * start-up. It happens in fail-closed mode (`redisFailOpen: false`) when Redis is down; the app
 * still starts, every request goes to Express's error model (`next(error)`), which
 * {@link ExpressGuard.errorHandler} renders as 503 with `Retry-After`, and start-up is tried
 * again at most once per `redisRetryAfterMs` until Redis answers. The same error raised by a check
 * later (fail-closed, Redis down mid-run) takes the same path.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  GuardRedisError,
  HandlerInitializer,
  parseSecurityConfig,
  type SecurityConfig,
  type SecurityConfigInput,
} from 'guard-core';
import { ClientIpResolver } from './client-ip.js';

/** What {@link createExpressGuard} returns. */
export interface ExpressGuard {
  /** The checks; mount it before the routes it protects (`app.use(guard.middleware)`). */
  readonly middleware: RequestHandler;
  /** Renders `GuardRedisError` as JSON (503 + `Retry-After`); mount it after the routes. */
  readonly errorHandler: ErrorRequestHandler;
  /** The running initializer (bans, limiter, status), or `null` while start-up fails. */
  readonly initializer: HandlerInitializer | null;
  /** Stops the guard's background work and closes its Redis connection. */
  close(): Promise<void>;
}

/** Starts the shared state; keeps a start-up `GuardRedisError` and retries it when due. */
class GuardStartup {
  live: HandlerInitializer | null = null;
  private failure: GuardRedisError | null = null;
  private retryAt = 0;
  private attempt: Promise<void> | null = null;

  constructor(private readonly config: SecurityConfig) {}

  /** The running state, or the start-up failure (thrown) while Redis is still down. */
  async get(): Promise<HandlerInitializer> {
    if (this.live !== null) return this.live;
    if (Date.now() >= this.retryAt) await (this.attempt ??= this.start().finally(() => (this.attempt = null)));
    if (this.live !== null) return this.live;
    throw this.failure ?? new GuardRedisError(503, 'guard is closed');
  }

  async start(): Promise<void> {
    const init = new HandlerInitializer(this.config);
    try {
      await init.initializeRedisHandlers();
      this.live = init;
    } catch (error) {
      await init.close();
      if (!(error instanceof GuardRedisError)) throw error; // not an outage: let it fail the start-up
      this.failure = error;
      this.retryAt = Date.now() + this.config.redisRetryAfterMs;
    }
  }

  async close(): Promise<void> {
    await this.attempt;
    const live = this.live;
    this.live = null;
    this.retryAt = Number.POSITIVE_INFINITY;
    await live?.close();
  }
}

/**
 * Validates `input` (throws `GuardConfigError`) and starts the guard. Resolves once the shared
 * state is up, or once a `GuardRedisError` was caught (then requests get 503 until Redis answers).
 */
export async function createExpressGuard(input: SecurityConfigInput): Promise<ExpressGuard> {
  const config = parseSecurityConfig(input);
  const startup = new GuardStartup(config);
  await startup.start();
  const clientIps = new ClientIpResolver(config.trustedProxies);
  const cloudBlocking = config.blockCloudProviders.size > 0;
  const retryAfter = String(Math.ceil(config.redisRetryAfterMs / 1000));

  const middleware: RequestHandler = async (req, res, next) => {
    try {
      const init = startup.live ?? (await startup.get()); // no extra await once started
      res.set(await init.securityHeaders.getHeaders());
      const ip = clientIps.resolve(req.socket.remoteAddress, req.headers['x-forwarded-for']);
      if (ip === null) return void res.status(400).json({ error: 'Bad Request', reason: 'client address unknown' });
      if (cloudBlocking && init.cloud.isCloudIp(ip)) {
        return void res.status(403).json({ error: 'Forbidden', reason: 'cloud provider' });
      }
      if (config.enableIpBanning && (await init.ipBans.isIpBanned(ip))) {
        return void res.status(403).json({ error: 'Forbidden', reason: 'banned' });
      }
      const decision = await init.rateLimiter.check(ip, { endpoint: req.path });
      if (!decision.allowed) {
        res.set('Retry-After', String(decision.retryAfterSeconds));
        return void res.status(429).json({ error: 'Too Many Requests', retryAfterSeconds: decision.retryAfterSeconds });
      }
      next();
    } catch (error) {
      next(error);
    }
  };

  const errorHandler: ErrorRequestHandler = (error, _req, res, next) => {
    if (!(error instanceof GuardRedisError)) return next(error);
    // Only the stable code goes to the client: the detail names Redis's address (the guard has
    // logged the outage once already).
    if (error.statusCode === 503) res.set('Retry-After', retryAfter);
    res.status(error.statusCode).json({ error: STATUS_CODES[error.statusCode], code: error.code });
  };

  return {
    middleware,
    errorHandler,
    get initializer() {
      return startup.live;
    },
    close: () => startup.close(),
  };
}
