/**
 * Column lookup in a CSV header line: names are matched trimmed and case-insensitively, each
 * column by a list of accepted names (first match wins). `require` reports a missing column
 * through `fail`, quoting the header, so every reader words the error the same way.
 */
export function csvHeader(line: string, fail: (problem: string) => never) {
  const names = line.split(',').map((name) => name.trim().toLowerCase());
  const find = (candidates: readonly string[]): number => {
    for (const candidate of candidates) {
      const index = names.indexOf(candidate);
      if (index >= 0) return index;
    }
    return -1;
  };
  const require = (candidates: readonly string[]): number => {
    const index = find(candidates);
    if (index < 0) fail(`header ${JSON.stringify(line.slice(0, 160))} has no ${candidates.join(' or ')} column`);
    return index;
  };
  return { names, find, require };
}
