// GraphQL over fetch for the dashboard (same origin); documents come from client/generated.
import type { Operation } from '../api/transport.js';

const TOKEN_KEY = 'spikelab-token';

/** The API token the user entered (kept in localStorage), if any. */
export function savedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export class GqlError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

export async function gql<R, V>(doc: Operation<R, V>, variables: NoInfer<V>): Promise<R> {
  const token = savedToken();
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query: doc.toString(), variables }),
  });
  const json = (await res.json()) as { data?: R; errors?: { message: string; extensions?: { code?: string } }[] };
  const first = json.errors?.[0];
  if (first) throw new GqlError(first.message, first.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (!json.data) throw new Error(`HTTP ${res.status} without data`);
  return json.data;
}

/**
 * A link that downloads `url` (an export of the server) with the saved token: fetched, then handed
 * to the browser as a blob (a plain link could not carry the Authorization header).
 */
export function downloadLink(url: string, filename: string, label: string): HTMLAnchorElement {
  const a = Object.assign(document.createElement('a'), { href: url, textContent: label, className: 'download' });
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    const token = savedToken();
    void fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const blobUrl = URL.createObjectURL(await res.blob());
        const save = Object.assign(document.createElement('a'), { href: blobUrl, download: filename });
        save.click();
        setTimeout(() => URL.revokeObjectURL(blobUrl), 10_000);
      })
      .catch((e: unknown) => {
        a.title = `download failed: ${e instanceof Error ? e.message : String(e)}`;
        a.classList.add('failed');
      });
  });
  return a;
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
