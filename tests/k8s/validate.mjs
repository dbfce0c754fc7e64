// Offline validation of Kubernetes YAML (testing-infra.md §3):
//  * against the Kubernetes OpenAPI schemas via kubernetes-models (types, required fields,
//    known apiVersion/kind);
//  * against an allow-list of the fields Cocoon emits (allowed-fields.json), because the
//    schemas accept unknown or misspelt fields.
// Usage: node validate.mjs [--expect-fail] FILE…
//   default: every document must pass; --expect-fail: every document must fail.
// Exit: 0 as expected, 1 otherwise, 77 when node_modules is missing (CTest skips).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
let yaml;
try {
  yaml = await import("js-yaml");
  await import("kubernetes-models/v1");
} catch {
  console.log(`SKIP: ${here}/node_modules is missing; run 'npm ci' in ${here} (see scripts/install-deps.sh)`);
  process.exit(77);
}

const args = process.argv.slice(2);
const expectFail = args[0] === "--expect-fail";
const files = expectFail ? args.slice(1) : args;
const allowed = JSON.parse(fs.readFileSync(path.join(here, "allowed-fields.json"), "utf8"));

async function modelFor(apiVersion, kind) {
  const [g, v] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  try {
    return (await import(g ? `kubernetes-models/${g}/${v}` : `kubernetes-models/${v}`))[kind];
  } catch {
    return undefined;
  }
}

// Every field path in `doc` ("spec.template.spec.containers[].name") that the allow-list for
// its kind does not list. A path "x.*" in the list allows any keys below x (labels, limits, …).
function unknownFields(doc) {
  const list = allowed[`${doc.apiVersion}/${doc.kind}`];
  if (!list) return [`no allow-list for ${doc.apiVersion}/${doc.kind}`];
  const exact = new Set(list.filter((p) => !p.endsWith(".*")));
  const maps = new Set(list.filter((p) => p.endsWith(".*")).map((p) => p.slice(0, -2)));
  const bad = [];
  const walk = (v, p) => {
    if (maps.has(p)) return;
    if (Array.isArray(v)) return v.forEach((e) => walk(e, `${p}[]`));
    if (v !== null && typeof v === "object") {
      for (const [k, sub] of Object.entries(v)) walk(sub, p ? `${p}.${k}` : k);
      return;
    }
    if (!exact.has(p)) bad.push(p);
  };
  walk(doc, "");
  return bad;
}

let n = 0, failed = 0;
for (const f of files) {
  let docs;
  try {
    docs = yaml.loadAll(fs.readFileSync(f, "utf8"));
  } catch (e) {
    n++; failed++;
    console.log(`FAIL ${f}: not valid YAML: ${e.message.split("\n")[0]}`);
    continue;
  }
  for (const doc of docs) {
    if (!doc) continue;
    n++;
    const id = `${f} ${doc.kind}/${doc.metadata?.name}`;
    const M = doc.apiVersion && doc.kind ? await modelFor(doc.apiVersion, doc.kind) : undefined;
    if (!M) { failed++; console.log(`FAIL ${id}: unknown apiVersion/kind`); continue; }
    try {
      new M(doc).validate();
    } catch (e) {
      failed++; console.log(`FAIL ${id}: schema: ${e.message}`); continue;
    }
    const unknown = unknownFields(doc);
    if (unknown.length) { failed++; console.log(`FAIL ${id}: fields not in the allow-list: ${unknown.join(", ")}`); continue; }
    console.log(`ok   ${id}`);
  }
}
console.log(`${n - failed} passed, ${failed} failed${expectFail ? " (all were expected to fail)" : ""}`);
if (n === 0) process.exit(1);
process.exit(expectFail ? (failed === n ? 0 : 1) : (failed ? 1 : 0));
