/**
 * A Fastify plugin on guard-core's public API: `app.register(fastifyGuard, { config })` starts the
 * shared state (a `HandlerInitializer`) and adds an `onRequest` hook that sets the security
 * headers, then refuses cloud-provider addresses (403), banned addresses (403) and clients over
 * their rate limit (429 with `Retry-After`). A route opts out with `config: { guard: false }`.
 *
 * The seed's adapter rule: a `GuardRedisError` during initialization is caught, not thrown at
 * start-up. It happens in fail-closed mode (`redisFailOpen: false`) when Redis is down; the app
 * still starts, every request gets the error in Fastify's error model (an error with a
 * `statusCode`, rendered by the error handler: 503 with `Retry-After`), and start-up is tried
 * again at most once per `redisRetryAfterMs` until Redis answers. The same error raised by a
 * check later (fail-closed, Redis down mid-run) takes the same path.
 */
import type { FastifyPluginAsync } from 'fastify';
import {
  GuardRedisError,
  HandlerInitializer,
  parseSecurityConfig,
  type RateLimitDecision,
  type SecurityConfig,
  type SecurityConfigInput,
} from 'guard-core';
import { ClientIpResolver } from './client-ip.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: the guard does not check this route (health checks, admin routes). */
    guard?: boolean;
  }
  interface FastifyInstance {
    /** The guard's running state (see {@link GuardHandle}). */
    guard: GuardHandle;
  }
}

/** What the plugin decorates the instance with (`app.guard`). */
export interface GuardHandle {
  /** The running initializer (bans, limiter, status), or `null` while start-up fails. */
  readonly initializer: HandlerInitializer | null;
}

/** Options of {@link fastifyGuard}. */
export interface FastifyGuardOptions {
  /** The guard's configuration (validated at registration: `GuardConfigError`). */
  readonly config: SecurityConfigInput;
  /** Called with every rate-limit decision (metrics: e.g. how many came from memory). */
  readonly onDecision?: (decision: RateLimitDecision) => void;
}

/** A `GuardRedisError` in Fastify's error model: its status, its stable code, no Redis detail. */
export class GuardUnavailableError extends Error {
  override name = 'GuardUnavailableError';
  /** HTTP status Fastify answers with (503; 500 for a Redis data error). */
  readonly statusCode: number;
  /** The guard-core error code, e.g. `GUARD_REDIS_UNAVAILABLE`. */
  readonly code: string;

  constructor(cause: GuardRedisError) {
    super('the guard cannot reach its shared state', { cause });
    this.statusCode = cause.statusCode;
    this.code = cause.code;
  }
}

/** Starts the shared state; keeps a start-up `GuardRedisError` and retries it when due. */
class GuardStartup implements GuardHandle {
  live: HandlerInitializer | null = null;
  private failure: GuardRedisError | null = null;
  private retryAt = 0;
  private attempt: Promise<void> | null = null;

  constructor(private readonly config: SecurityConfig) {}

  get initializer(): HandlerInitializer | null {
    return this.live;
  }

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
      if (!(error instanceof GuardRedisError)) throw error; // not an outage: let it fail the boot
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

const plugin: FastifyPluginAsync<FastifyGuardOptions> = async (app, options) => {
  const config = parseSecurityConfig(options.config);
  const startup = new GuardStartup(config);
  await startup.start();
  const clientIps = new ClientIpResolver(config.trustedProxies);
  const cloudBlocking = config.blockCloudProviders.size > 0;
  const retryAfter = String(Math.ceil(config.redisRetryAfterMs / 1000));
  app.decorate('guard', startup as GuardHandle);
  app.addHook('onClose', async () => startup.close());

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.guard === false) return;
    try {
      const init = startup.live ?? (await startup.get()); // no extra await once started
      reply.headers(await init.securityHeaders.getHeaders());
      const ip = clientIps.resolve(request.raw.socket.remoteAddress, request.headers['x-forwarded-for']);
      if (ip === null) return reply.code(400).send({ error: 'Bad Request', reason: 'client address unknown' });
      if (cloudBlocking && init.cloud.isCloudIp(ip)) {
        return reply.code(403).send({ error: 'Forbidden', reason: 'cloud provider' });
      }
      if (config.enableIpBanning && (await init.ipBans.isIpBanned(ip))) {
        return reply.code(403).send({ error: 'Forbidden', reason: 'banned' });
      }
      // The path as requested (the original's `request.url.path`), so `endpointRateLimits` keys are paths.
      const query = request.url.indexOf('?');
      const path = query < 0 ? request.url : request.url.slice(0, query);
      const decision = await init.rateLimiter.check(ip, { endpoint: path });
      options.onDecision?.(decision);
      if (!decision.allowed) {
        reply.header('Retry-After', String(decision.retryAfterSeconds));
        return reply.code(429).send({ error: 'Too Many Requests', retryAfterSeconds: decision.retryAfterSeconds });
      }
    } catch (error) {
      if (!(error instanceof GuardRedisError)) throw error;
      if (error.statusCode === 503) reply.header('Retry-After', retryAfter);
      throw new GuardUnavailableError(error);
    }
  });
};

/**
 * The guard plugin. Its hook applies to the instance it is registered on, not only to a child
 * scope (`skip-override`, what `fastify-plugin` sets), so routes declared after it are guarded.
 */
export const fastifyGuard = Object.assign(plugin, { [Symbol.for('skip-override')]: true });
