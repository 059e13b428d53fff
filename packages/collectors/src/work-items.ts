// Work items a session references (e.g. WRK-237).
//
// Rule: a call is attributed to the work items its session has referenced so far — in the git
// branch name and in the user's prompts up to and including that call. With several items the
// call is shared equally between them (events.ts).

/** Jira-style keys. Prefixes that name standards rather than trackers (UTF-8, SHA-256…) are ignored. */
export const DEFAULT_WORK_ITEM_PATTERN = '\\b[A-Z][A-Z0-9]{1,9}-[0-9]{1,7}\\b';
const NOT_WORK_ITEMS = new Set(['UTF', 'SHA', 'ISO', 'RFC', 'GPT', 'AES', 'MD', 'TLS', 'SSL', 'HTTP', 'X', 'CVE', 'PEP', 'ES', 'ECMA', 'IEEE', 'BASE', 'CP', 'WIN']);

const HYPHEN = 0x2d;

/** Whether `-` followed by an ASCII digit occurs in text from `from` on. */
function hyphenDigit(text: string, from: number): boolean {
  for (let at = text.indexOf('-', from); at !== -1; at = text.indexOf('-', at + 1)) {
    const c = text.charCodeAt(at + 1);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

export class WorkItemMatcher {
  private readonly regex: RegExp;
  private readonly probe: RegExp;
  /** The pattern's source (a scan worker builds its own matcher from it). */
  readonly pattern: string;

  constructor(pattern = DEFAULT_WORK_ITEM_PATTERN) {
    this.pattern = pattern;
    this.regex = new RegExp(pattern, 'g');
    this.probe = new RegExp(pattern, 'g'); // global, so a test can start at lastIndex
  }

  /** Cheap test on raw text before anything is parsed, from position `from` on. */
  mayMatch(text: string, from = 0): boolean {
    // The default pattern's matches hold a hyphen before a digit: text without one cannot match
    // (a string search is many times faster than the regular expression tried at every position).
    if (this.pattern === DEFAULT_WORK_ITEM_PATTERN && !hyphenDigit(text, from)) return false;
    this.probe.lastIndex = from;
    return this.probe.test(text);
  }

  /**
   * The same test on a line's bytes [from, to) before it becomes a string: false only when the text
   * cannot match (the default pattern's hyphen before a digit is missing; '-' and digits are ASCII,
   * never part of a longer UTF-8 character); other patterns always say maybe.
   */
  mayMatchBytes(data: Buffer, from: number, to: number): boolean {
    if (this.pattern !== DEFAULT_WORK_ITEM_PATTERN) return true;
    for (let at = data.indexOf(HYPHEN, from); at !== -1 && at < to; at = data.indexOf(HYPHEN, at + 1)) {
      const c = data[at + 1]!;
      if (c >= 48 && c <= 57 && at + 1 < to) return true;
    }
    return false;
  }

  find(text: string | undefined): string[] {
    if (!text) return [];
    const found = new Set<string>();
    for (const m of text.matchAll(this.regex)) {
      const item = m[0];
      if (!NOT_WORK_ITEMS.has(item.slice(0, item.lastIndexOf('-')))) found.add(item);
    }
    return [...found];
  }
}

/** Work items per session, carried across files and runs (the state file keeps them). */
export class SessionItems {
  readonly bySession: Map<string, Set<string>>;
  /** Each session's items sorted, computed once per change (every call of a session asks). */
  private readonly sorted = new Map<string, string[]>();

  constructor(saved: Record<string, string[]> = {}) {
    this.bySession = new Map(Object.entries(saved).map(([k, v]) => [k, new Set(v)]));
  }

  add(session: string, items: string[]) {
    if (items.length === 0) return;
    let set = this.bySession.get(session);
    if (!set) this.bySession.set(session, (set = new Set()));
    for (const i of items) {
      if (set.has(i)) continue;
      set.add(i);
      this.sorted.delete(session);
    }
  }

  /** The session's items plus the branch's, sorted (a shared array: do not modify). */
  current(session: string, branchItems: string[]): string[] {
    const set = this.bySession.get(session);
    let items = this.sorted.get(session);
    if (!items) this.sorted.set(session, (items = set ? [...set].sort() : []));
    const extra = branchItems.filter((i) => !set?.has(i));
    return extra.length ? [...new Set([...items, ...extra])].sort() : items;
  }

  toJSON(): Record<string, string[]> {
    return Object.fromEntries([...this.bySession].map(([k, v]) => [k, [...v].sort()]));
  }
}
