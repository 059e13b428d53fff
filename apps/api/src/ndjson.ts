export type NdjsonResult = { ok: true; items: unknown[] } | { ok: false; message: string };

/** One JSON value per line; blank lines are ignored. */
export function parseNdjson(text: string): NdjsonResult {
  const items: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      items.push(JSON.parse(line));
    } catch (err) {
      return { ok: false, message: `line ${i + 1} is not valid JSON: ${(err as Error).message}` };
    }
  }
  return { ok: true, items };
}
