/**
 * The in-memory sliding window both subsystems use when Redis is off or down. It follows the
 * rule of the Redis scripts exactly (see `src/core/redis/sliding-window.ts`): a hit scored `t`
 * is inside the window ending at `now` when `t > start`, with `start = now - window`; pruning
 * removes every score `<= start` for good.
 *
 * Times are normalised by {@link windowBounds} to the very doubles Redis stores (the score text
 * the scripts send, parsed back), so memory and Redis compare the same numbers.
 */
import { scoreText } from '../redis/sliding-window.js';

/** One decision's times: `now` and the window start, as score text (for Redis) and as numbers. */
export interface WindowBounds {
  /** Score of a hit at `now`, as sent to Redis. */
  readonly scoreText: string;
  /** The same score as Redis parses it. */
  readonly score: number;
  /** `now - window` as sent to Redis (hits scored `<=` it leave the window). */
  readonly startText: string;
  /** The same start as Redis parses it. */
  readonly start: number;
}

/** The normalised times of a decision at `nowSeconds` over a window of `windowSeconds`. */
export function windowBounds(nowSeconds: number, windowSeconds: number): WindowBounds {
  const now = scoreText(nowSeconds);
  const start = scoreText(nowSeconds - windowSeconds);
  return { scoreText: now, score: Number(now), startText: start, start: Number(start) };
}

/**
 * {@link windowBounds} with a one-entry memo: at high request rates many decisions share one
 * clock reading (the default clock has millisecond resolution), so the score texts are built
 * once per reading and window instead of once per decision.
 */
export class BoundsMemo {
  private lastNow = Number.NaN;
  private lastWindow = Number.NaN;
  private last: WindowBounds | null = null;

  /** The bounds of a decision at `nowSeconds` over `windowSeconds`. */
  bounds(nowSeconds: number, windowSeconds: number): WindowBounds {
    if (this.last !== null && nowSeconds === this.lastNow && windowSeconds === this.lastWindow) return this.last;
    const bounds = windowBounds(nowSeconds, windowSeconds);
    this.lastNow = nowSeconds;
    this.lastWindow = windowSeconds;
    this.last = bounds;
    return bounds;
  }
}

/**
 * The scores of one window, ascending. Insertion keeps the order even when clocks disagree
 * (a hit older than the newest), so pruning and "the k-th oldest" stay exact.
 */
export class HitWindow {
  private readonly hits: number[] = [];
  /** The largest cap {@link trimTo} was asked for. */
  private keep = 0;

  /** How many hits the window holds (after the last prune). */
  get count(): number {
    return this.hits.length;
  }

  /** The `index`-th oldest score (0 = oldest). */
  at(index: number): number {
    return this.hits[index]!;
  }

  /** Removes every hit scored `<= start` (the shared boundary rule). */
  prune(start: number): void {
    const hits = this.hits;
    let gone = 0;
    while (gone < hits.length && hits[gone]! <= start) gone++;
    if (gone > 0) hits.splice(0, gone);
  }

  /** Adds a hit, keeping scores ascending; equal scores are separate hits (they all count). */
  add(score: number): void {
    const hits = this.hits;
    let at = hits.length;
    while (at > 0 && hits[at - 1]! > score) at--;
    if (at === hits.length) hits.push(score);
    else hits.splice(at, 0, score);
  }

  /**
   * Keeps only the newest hits that any caller of this window needs: the largest `cap` asked
   * so far. A window whose question is "more than n?" never needs more than n + 1 of them: the
   * count it reports is then `min(true count, cap)`, and every answer to that question is
   * unchanged. Several rules may share one window (the behaviour tracker's key names the
   * endpoint and the client, not the rule), so a strict rule's small cap must not drop the hits
   * a looser rule still counts.
   */
  trimTo(cap: number): void {
    if (cap > this.keep) this.keep = cap;
    const excess = this.hits.length - this.keep;
    if (excess > 0) this.hits.splice(0, excess);
  }
}
