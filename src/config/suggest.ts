function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Up to three known names closest to `wanted`, for "did you mean". */
export function suggest(wanted: string, known: Iterable<string>): string[] {
  const needle = wanted.toLowerCase();
  const budget = Math.max(2, Math.ceil(needle.length / 2));
  const scored = [...known]
    .map((name) => {
      const hay = name.toLowerCase();
      const d = hay.includes(needle) || needle.includes(hay) ? 1 : distance(needle, hay);
      return { name, d };
    })
    .filter(({ d }) => d <= budget)
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  // Only the closest: one near miss is a better hint than three far ones.
  return scored
    .filter(({ d }) => d === scored[0]?.d)
    .slice(0, 3)
    .map(({ name }) => name);
}

/** " Did you mean: a, b?" or "". */
export function didYouMean(wanted: string, known: Iterable<string>): string {
  const close = suggest(wanted, known);
  return close.length > 0 ? ` Did you mean: ${close.join(", ")}?` : "";
}
