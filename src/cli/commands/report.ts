/**
 * Text renderings of refresh outcomes shared by the commands.
 */
import type { ProviderRefreshReport } from '../../core/cloud/status.js';
import { count } from '../io.js';

/** One line per provider, e.g. `AWS: fetched 9,544 ranges (+12 added, -3 removed, 1 skipped), stored`. */
export function describeReport(report: ProviderRefreshReport, persistent: boolean): string {
  const name = `${report.provider}:`.padEnd(14);
  if (report.outcome === 'failed') {
    const kept = report.entries > 0 ? ` (kept the ${count(report.entries)} ranges already loaded)` : '';
    return `${name}FAILED ${report.error ?? 'unknown error'}${kept}`;
  }
  const verb = report.outcome === 'store' ? 'cached ' : 'fetched';
  const changes = [`+${count(report.added)} added`, `-${count(report.removed)} removed`];
  if (report.skipped > 0) changes.push(`${count(report.skipped)} malformed skipped`);
  const where = report.stored && persistent ? ', stored' : '';
  const warning = report.storeError !== null ? ` (warning: ${report.storeError})` : '';
  return `${name}${verb} ${count(report.entries).padStart(6)} ranges (${changes.join(', ')})${where}${warning}`;
}

/** Providers whose refresh failed and that have no ranges at all. */
export function failedProviders(reports: readonly ProviderRefreshReport[]): string[] {
  return reports.filter((r) => r.outcome === 'failed' && r.entries === 0).map((r) => r.provider);
}

/** A short progress line for loads, e.g. `AWS: 9,544 ranges (fetched)`. */
export function describeLoad(report: ProviderRefreshReport): string {
  const name = `${report.provider}:`.padEnd(14);
  if (report.outcome === 'failed') return `${name}FAILED ${report.error ?? 'unknown error'}`;
  const how = report.outcome === 'store' ? 'from the cache' : 'fetched';
  return `${name}${count(report.entries).padStart(6)} ranges (${how})`;
}
