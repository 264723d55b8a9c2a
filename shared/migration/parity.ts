/**
 * The parity report: one line per App Mesh feature in use, and whether Lattice carries it over
 * exactly, differently, or not at all. Lines are kept per feature and status (a feature used by
 * 300 routes is one line with 300 sources), so the report stays readable on a large mesh.
 */
import type { ParityEntry, ParityStatus, SourceRef } from './plan-model';

const STATUS_ORDER: Readonly<Record<ParityStatus, number>> = { lost: 0, different: 1, exact: 2 };

interface Line {
  feature: string;
  status: ParityStatus;
  detail: string;
  instead: string | undefined;
  source: SourceRef[];
  seen: Set<string>;
}

export class ParityCollector {
  private readonly lines = new Map<string, Line>();

  /** Record that `source` uses `feature`; the first detail given for a feature and status stands. */
  add(feature: string, status: ParityStatus, detail: string, source: SourceRef, instead?: string): void {
    const key = `${status}\u0000${feature}`;
    let line = this.lines.get(key);
    if (line === undefined) {
      line = { feature, status, detail, instead, source: [], seen: new Set() };
      this.lines.set(key, line);
    }
    const sourceKey = `${source.kind}/${source.parentName ?? ''}/${source.name}/${source.path ?? ''}`;
    if (!line.seen.has(sourceKey)) {
      line.seen.add(sourceKey);
      line.source.push(source);
    }
  }

  entries(): ParityEntry[] {
    return [...this.lines.values()]
      .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.feature.localeCompare(b.feature))
      .map((l) => ({
        feature: l.feature,
        status: l.status,
        detail: l.detail,
        ...(l.instead !== undefined ? { instead: l.instead } : {}),
        source: l.source,
      }));
  }
}
