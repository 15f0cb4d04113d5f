// A self-contained query explorer served at GET /graphql to browsers: no scripts, fonts or styles
// from the internet, so it works offline. It POSTs to the same URL and shows the JSON result.
const FIRST_QUERY = `query FirstModels {
  models(first: 10) {
    totalCount
    nodes { id name architecture family pretraining parameterCount }
    pageInfo { hasNextPage endCursor }
  }
}`;

export function explorerHtml(endpoint: string): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Spikelab GraphQL explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;display:flex;flex-direction:column;height:100vh}
header{padding:8px 12px;background:#1f2937;color:#fff;display:flex;gap:12px;align-items:center}
main{flex:1;display:grid;grid-template-columns:1fr 1fr;gap:8px;padding:8px;min-height:0}
section{display:flex;flex-direction:column;min-height:0}
textarea,pre{font:13px ui-monospace,monospace;border:1px solid #ccc;border-radius:4px;padding:8px;margin:0}
#query{flex:3}#variables{flex:1;margin-top:8px}pre{flex:1;overflow:auto;background:#f8f8f8;white-space:pre-wrap}
button{font:inherit;padding:4px 12px}small{opacity:.7}
</style></head><body>
<header><strong>Spikelab</strong><button id="run" title="Ctrl+Enter">Run ▶</button>
<button id="types">Root fields</button><small>POST ${esc(endpoint)}</small></header>
<main><section><textarea id="query" spellcheck="false">${esc(FIRST_QUERY)}</textarea>
<textarea id="variables" spellcheck="false" placeholder="variables (JSON)">{}</textarea></section>
<section><pre id="result">Press Run (Ctrl+Enter).</pre></section></main>
<script>
const $ = (id) => document.getElementById(id);
async function post(query, variables) {
  const res = await fetch(${JSON.stringify(endpoint)}, { method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }) });
  return res.json();
}
async function run() {
  let variables = {};
  try { variables = JSON.parse($('variables').value || '{}'); } catch (e) { $('result').textContent = 'variables: ' + e.message; return; }
  $('result').textContent = '…';
  try { $('result').textContent = JSON.stringify(await post($('query').value, variables), null, 2); }
  catch (e) { $('result').textContent = String(e); }
}
async function rootFields() {
  const q = '{ __schema { queryType { fields { name description } } mutationType { fields { name description } } subscriptionType { fields { name } } } }';
  $('result').textContent = JSON.stringify((await post(q, {})).data, null, 2);
}
$('run').onclick = run; $('types').onclick = rootFields;
document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) run(); });
</script></body></html>`;
}
