/**
 * How many CPU cores this process can really run on, which decides whether the bridge may
 * busy-wait (see `spin-budget.ts`): a spinning caller only helps when the worker thread it waits
 * for runs on another core at the same time. On a machine with two cores but an app confined to
 * one (`taskset`, a container's cpuset or CPU quota), the spinner takes the very core the worker
 * needs, and every call waits for the scheduler to preempt it.
 *
 * Two limits count, the smaller wins:
 * - CPU affinity: `os.availableParallelism()` (on Linux, `sched_getaffinity` of the process;
 *   elsewhere the number of logical CPUs);
 * - the cgroup CPU quota (`docker --cpus=1`, a Kubernetes CPU limit): cgroup v2 `cpu.max`
 *   (`<quota> <period>` or `max <period>`) or v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`
 *   (quota -1 = none), in this process's own cgroup and every ancestor up to the mount's root.
 *   A quota of 1.5 cores gives 1: spinning needs two threads running at once for the whole call.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { posix } from 'node:path';

/** What {@link usableCores} found. */
export interface UsableCores {
  /** The smaller of the two limits, at least 1. */
  readonly cores: number;
  /** Cores the process's CPU affinity allows. */
  readonly affinity: number;
  /** Whole cores the cgroup CPU quota allows, `null` when there is no quota (or no cgroup). */
  readonly quota: number | null;
}

/** Where the cgroup files are read (tests point it at a fake tree). */
export interface CgroupFiles {
  /** Contents of `/proc/self/cgroup`, or null when unreadable. */
  readonly selfCgroup: () => string | null;
  /** Contents of a file under the cgroup mount (`/sys/fs/cgroup` + `path`), or null when unreadable. */
  readonly read: (path: string) => string | null;
}

/** The real files of this Linux process (elsewhere every read gives null: no quota). */
export const systemCgroupFiles: CgroupFiles = {
  selfCgroup: () => readText('/proc/self/cgroup'),
  read: (path) => readText(posix.join('/sys/fs/cgroup', path)),
};

/** The cores this process can really use (see the module notes). Never throws. */
export function usableCores(
  files: CgroupFiles = systemCgroupFiles,
  affinity: number = availableParallelism(),
): UsableCores {
  const quota = cgroupQuotaCores(files);
  const cores = Math.max(1, Math.min(affinity, quota ?? Number.POSITIVE_INFINITY));
  return { cores, affinity, quota };
}

/** Whole cores allowed by the tightest CPU quota on this process's cgroup path, null when none. */
export function cgroupQuotaCores(files: CgroupFiles): number | null {
  const membership = parseSelfCgroup(files.selfCgroup() ?? '');
  const limits: number[] = [];
  // cgroup v2: one unified hierarchy, mounted at /sys/fs/cgroup (or, on hybrid hosts, at .../unified,
  // which has no cpu controller).
  for (const dir of ancestors(membership.unified ?? '/')) {
    const limit = parseCpuMax(files.read(posix.join(dir, 'cpu.max')));
    if (limit !== null) limits.push(limit);
  }
  // cgroup v1: the cpu controller's own hierarchy, mounted as cpu, cpu,cpuacct or cpuacct,cpu.
  for (const mount of ['cpu', 'cpu,cpuacct', 'cpuacct,cpu']) {
    for (const dir of ancestors(membership.cpu ?? '/')) {
      const limit = parseCfs(
        files.read(posix.join(mount, dir, 'cpu.cfs_quota_us')),
        files.read(posix.join(mount, dir, 'cpu.cfs_period_us')),
      );
      if (limit !== null) limits.push(limit);
    }
  }
  if (limits.length === 0) return null;
  return Math.max(1, Math.floor(Math.min(...limits)));
}

/** The process's path in the unified (v2) hierarchy and in the v1 cpu controller's. */
function parseSelfCgroup(text: string): { unified: string | null; cpu: string | null } {
  let unified: string | null = null;
  let cpu: string | null = null;
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (match === null) continue;
    const [, controllers = '', path = '/'] = match;
    if (controllers === '') unified = path;
    else if (controllers.split(',').includes('cpu')) cpu = path;
  }
  return { unified, cpu };
}

/**
 * `path` and each of its parents up to `/`. Inside a container the path is often that of the
 * host (`/docker/<id>`) while the mount shows the container's own cgroup as its root: a missing
 * file is simply skipped, and the root's file still counts.
 */
function ancestors(path: string): string[] {
  const found: string[] = [];
  for (let dir = posix.normalize(`/${path}`); ; dir = posix.dirname(dir)) {
    found.push(dir);
    if (dir === '/') return found;
  }
}

/** `cpu.max`: `"<quota> <period>"` → quota / period cores; `"max …"` or garbage → null. */
function parseCpuMax(text: string | null): number | null {
  const match = text === null ? null : /^\s*(\d+)\s+(\d+)\s*$/.exec(text);
  if (match === null) return null;
  return ratio(Number(match[1]), Number(match[2]));
}

/** v1: quota -1 = none. */
function parseCfs(quota: string | null, period: string | null): number | null {
  if (quota === null || period === null) return null;
  return ratio(Number(quota.trim()), Number(period.trim()));
}

function ratio(quota: number, period: number): number | null {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return null;
  return quota / period;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
