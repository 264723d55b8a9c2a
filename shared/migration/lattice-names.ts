/**
 * Lattice resource names from App Mesh names. Lattice allows lowercase letters, digits and
 * single hyphens, starting and ending with a letter or digit (3..40 characters for a service,
 * 3..63 for listeners, rules and networks, 3..128 for target groups); App Mesh allows far more
 * (dots, underscores, capitals). Names are made unique per scope with a numeric suffix, so two
 * App Mesh names that spell the same in Lattice (`web.v1`, `web_v1`) stay apart.
 */
export const LATTICE_NAME_LIMITS = {
  service: 40,
  listener: 63,
  rule: 63,
  network: 63,
  targetGroup: 128,
} as const;

/** The Lattice spelling of a name, without uniqueness. */
export function latticeSpelling(raw: string, maxLength: number): string {
  let name = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name.length > maxLength) name = name.slice(0, maxLength).replace(/-+$/, '');
  while (name.length < 3) name = `${name}x`.replace(/^-/, '');
  return name;
}

/** Hands out unique names in one scope (the services of a network, the rules of a listener, ...). */
export class NameScope {
  private readonly taken = new Set<string>();
  constructor(private readonly maxLength: number) {}

  name(raw: string): string {
    const base = latticeSpelling(raw, this.maxLength);
    let candidate = base;
    for (let n = 2; this.taken.has(candidate); n++) {
      const suffix = `-${n}`;
      candidate = `${base.slice(0, this.maxLength - suffix.length).replace(/-+$/, '')}${suffix}`;
    }
    this.taken.add(candidate);
    return candidate;
  }
}

/** True when a name is valid for Lattice as it stands (for names the user gives, e.g. --service-network). */
export function isLatticeName(name: string, maxLength: number): boolean {
  return name.length >= 3 && name.length <= maxLength && /^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/.test(name);
}
