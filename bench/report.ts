import { readFile, writeFile } from 'node:fs/promises'

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  return percentile(values, 50)
}

/** The `p`th percentile by linear interpolation between the closest ranks. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const low = sorted[Math.floor(rank)] ?? Number.NaN
  const high = sorted[Math.ceil(rank)] ?? Number.NaN
  return low + (high - low) * (rank - Math.floor(rank))
}

/** `value` with `digits` decimals, or a dash when there is no value. */
export function fixed(value: number | undefined, digits = 0): string {
  return value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits)
}

/**
 * A Markdown table, first column left-aligned and the others right-aligned, padded so that the
 * columns line up in a terminal as in the file.
 */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, 3, ...rows.map((row) => row[i]?.length ?? 0)),
  )
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`
  const rule = widths.map((width, i) => (i === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`))
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n')
}

const marker = (major: number, end = false) => `<!-- ${end ? '/' : ''}node ${major} -->`

/**
 * Writes `intro` and this Node major version's `section` into the results file, keeping the
 * sections that runs on other Node versions wrote, in version order, and the start-up section
 * (`<!-- startup -->`, written by hand from `bench/startup.ts`), after the intro.
 */
export async function writeResults(
  path: string,
  intro: string,
  major: number,
  section: string,
): Promise<void> {
  const existing = await readFile(path, 'utf8').catch(() => '')
  const sections = new Map<number, string>()
  for (const match of existing.matchAll(/<!-- node (\d+) -->\n([\s\S]*?)\n<!-- \/node \1 -->/g))
    sections.set(Number(match[1]), match[2] ?? '')
  sections.set(major, section)
  const startup = /<!-- startup -->\n[\s\S]*?\n<!-- \/startup -->/.exec(existing)?.[0]
  const body = [...sections]
    .sort(([a], [b]) => a - b)
    .map(([version, text]) => `${marker(version)}\n${text}\n${marker(version, true)}`)
  await writeFile(
    path,
    `${[intro, ...(startup === undefined ? [] : [startup]), ...body].join('\n\n')}\n`,
  )
}
