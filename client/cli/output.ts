// Terminal output: aligned tables, CSV, JSON and a progress bar that degrades to periodic lines
// when stderr is not a terminal (CI logs stay readable); the order of listings.
import { Option } from 'commander';
import type { ListOrder } from '../api/client.js';

/** `--order newest|oldest` for list commands: newest first unless asked otherwise. */
export function orderOption(): Option {
  return new Option('--order <order>', 'which end of the list comes first').choices(['newest', 'oldest']).default('newest');
}

export const listOrder = (order: string): ListOrder => (order === 'oldest' ? 'OLDEST_FIRST' : 'NEWEST_FIRST');

export type Cell = string | number | boolean | null | undefined;

function show(v: Cell): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4);
  return String(v);
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(headers: string[], rows: Cell[][]): string {
  const cells = rows.map((r) => headers.map((_, i) => show(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined));
  const line = (r: string[]): string => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatCsv(headers: string[], rows: Cell[][]): string {
  return [headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A one-line progress bar on stderr (TTY), or a line every 10 % otherwise. */
export class ProgressBar {
  private lastDecile = -1;
  private lastLine = '';
  private readonly tty: boolean;

  constructor(private readonly label: string, private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(stream.isTTY);
  }

  update(fraction: number, detail = ''): void {
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const pct = `${(f * 100).toFixed(0).padStart(3)}%`;
    if (this.tty) {
      const width = 30;
      const filled = Math.round(f * width);
      const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct} ${detail}`;
      const cols = this.stream.columns ?? 100;
      if (line !== this.lastLine) this.stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, this.lastLine.length))}`);
      this.lastLine = line;
      return;
    }
    const decile = Math.floor(f * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${this.label} ${pct} ${detail}\n`);
    }
  }

  finish(message: string): void {
    if (this.tty && this.lastLine) this.stream.write('\n');
    this.stream.write(`${this.label} ${message}\n`);
  }
}
