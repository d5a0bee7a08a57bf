/**
 * What every kind of fault shares: seeded decisions (one generator per named stream, so the same seed gives the same
 * decisions) and the selectors that name a function, rule or table the way fault files do.
 */

// ---------------------------------------------------------------------------------------------------------------
// Seeded decisions
// ---------------------------------------------------------------------------------------------------------------

/** FNV-1a of a string: turns (seed, stream name) into a 32-bit generator seed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough to draw fault decisions (not for anything secret). */
export function seededRandom(seed: number | string): () => number {
  let a = typeof seed === 'number' ? seed >>> 0 : hash32(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One independent generator per named stream of decisions. */
export class Dice {
  private readonly streams = new Map<string, () => number>();
  constructor(private readonly seed: number) {}
  roll(stream: string): number {
    let next = this.streams.get(stream);
    if (!next) {
      next = seededRandom(`${this.seed}/${stream}`);
      this.streams.set(stream, next);
    }
    return next();
  }
  chance(stream: string, p: number): boolean {
    return p > 0 && (p >= 1 || this.roll(stream) < p);
  }
  between(stream: string, min: number, max: number): number {
    return min + Math.floor(this.roll(stream) * (max - min + 1));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------------------

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/**
 * Does a selector name this function (or rule)? `Commerce-dev-Stateless-NotificationsOrderNotifier6B28F03C` is
 * named by itself, by its logical id `NotificationsOrderNotifier6B28F03C`, by `NotificationsOrderNotifier` (the
 * logical id without CDK's hash) and by globs such as `*OrderNotifier*`.
 */
export function nameMatches(selectorText: string, name: string): boolean {
  if (selectorText.includes('*')) {
    const pattern = selectorText.split('*').map(escapeRegExp).join('.*');
    return new RegExp(`^${pattern}$`).test(name) || new RegExp(`(^|-)${pattern}$`).test(name);
  }
  return name === selectorText || new RegExp(`(^|-)${escapeRegExp(selectorText)}([0-9A-F]{8})?$`).test(name);
}

export const anyMatches = (selectors: readonly string[] | undefined, name: string) =>
  selectors === undefined || selectors.some((s) => nameMatches(s, name));
