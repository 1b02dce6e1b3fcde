// Pure helpers of the setup page (no DOM): sorting dropped files, matching the files a person
// supplied to the paths a sync reads, and keeping the page's in-memory copy of the project.

/** What a loaded file is, from its name (and for YAML, whether it declares `secrets:`). */
export function classify(name, text) {
  const base = name.split(/[\\/]/).pop() ?? name;
  if (/\.local\.lock$/i.test(base)) return 'local_lockfile';
  if (/\.lock$/i.test(base)) return 'lockfile';
  if (/^secretfile/i.test(base)) return 'secretfile';
  if (/\.ya?ml$/i.test(base) && /^secrets\s*:/m.test(text)) return 'secretfile';
  return 'file';
}

/** The last path segment. */
export function basename(p) {
  return p.split('/').filter(Boolean).pop() ?? p;
}

/**
 * The text a person supplied for `path`: an exact path match first, then the same file name
 * (a browser only tells us names, never directories).
 */
export function supplied(path, files) {
  if (files.has(path)) return files.get(path);
  const base = basename(path);
  for (const [name, text] of files) if (basename(name) === base) return text;
  return null;
}

/**
 * The page's copy of the project directory: what the person loaded, plus every write of the
 * syncs run so far (so generated values stay the same from one sync to the next).
 */
export class Project {
  constructor() {
    /** Files the person supplied, by name. */
    this.given = new Map();
    /** Files as the syncs left them, by path (`null`: deleted). */
    this.written = new Map();
    /** What each written file is: `{ role, secret }` from the core's writes. */
    this.roles = new Map();
  }

  /** Current text of `path` (`null` when it does not exist). */
  read(path) {
    if (this.written.has(path)) return this.written.get(path);
    return supplied(path, this.given);
  }

  /**
   * The lockfile at `path`: as written by a sync, else the one the person loaded (stored under
   * `given`, whatever the lane calls it).
   */
  readLock(path, given) {
    if (this.written.has(path)) return this.written.get(path);
    return this.given.get(path) ?? this.given.get(given) ?? null;
  }

  /** `{path: text|null}` for every path in `paths`. */
  readAll(paths) {
    return Object.fromEntries(paths.map((p) => [p, this.read(p)]));
  }

  /** Apply a sync's writes. */
  apply(writes) {
    for (const w of writes) {
      this.written.set(w.path, w.contents ?? null);
      this.roles.set(w.path, { role: w.role, secret: w.secret });
    }
  }

  /** The files to offer for download: targets first, lockfiles last (the core's order). */
  outputs() {
    const order = { target: 0, template: 1, local_lockfile: 2, lockfile: 3 };
    return [...this.written]
      .filter(([, text]) => text !== null)
      .map(([path, text]) => ({ path, text, ...this.roles.get(path) }))
      .sort((a, b) => order[a.role] - order[b.role] || a.path.localeCompare(b.path));
  }

  /** Forget the syncs (keep what was supplied). */
  resetWrites() {
    this.written.clear();
    this.roles.clear();
  }
}
