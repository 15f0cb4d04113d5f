// GraphQL over fetch for the dashboard (same origin); documents come from client/generated.
import type { Operation } from '../api/transport.js';

export async function gql<R, V>(doc: Operation<R, V>, variables: NoInfer<V>): Promise<R> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: doc.toString(), variables }),
  });
  const json = (await res.json()) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
  if (json.errors?.length) throw new Error(json.errors.map((e) => `${e.message} [${e.extensions?.code ?? '?'}]`).join('; '));
  if (!json.data) throw new Error(`HTTP ${res.status} without data`);
  return json.data;
}

/** Builds a table from header names and rows of cells (text, numbers, or ready elements). */
export function fillTable(table: HTMLElement, headers: string[], rows: (string | number | null | undefined | Node)[][], empty = 'none yet'): void {
  table.replaceChildren();
  const head = document.createElement('tr');
  for (const h of headers) head.append(Object.assign(document.createElement('th'), { textContent: h }));
  table.append(head);
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    tr.append(Object.assign(document.createElement('td'), { textContent: empty, className: 'muted', colSpan: headers.length }));
    table.append(tr);
  }
  for (const r of rows) {
    const tr = document.createElement('tr');
    for (const c of r) {
      const td = document.createElement('td');
      if (c instanceof Node) td.append(c);
      else if (typeof c === 'number') {
        td.className = 'num';
        td.textContent = Number.isInteger(c) ? String(c) : c.toFixed(4);
      } else td.textContent = c ?? '-';
      tr.append(td);
    }
    table.append(tr);
  }
}
