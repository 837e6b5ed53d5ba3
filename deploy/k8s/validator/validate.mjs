// Offline validation of the KinderQueue Kubernetes manifests (run by ../validate.sh).
//
//   node validate.mjs --secrets FILE [--set NAME=FILE]... [--broken NAME=FILE=REGEX]...
//
// Every document of every file is checked three ways:
//   [schema] the JSON Schema of its kind: the Kubernetes OpenAPI schemas compiled by
//            kubernetes-models, the CloudNativePG CRD schemas by @kubernetes-models/cloudnative-pg
//            (types, required fields, enums, formats such as quantities, minimums);
//   [fields] unknown fields: those schemas do not forbid extra properties (the API server prunes
//            or, with kubectl's strict field validation, refuses them), so each document is also
//            type-checked by TypeScript against the interfaces generated from the same schemas,
//            whose excess-property check rejects any field the kind does not have;
//   [rule]   what this project requires of its manifests (see RULES below).
// A kind with no schema in those packages is an error, so nothing passes unchecked.
//
// A --set must have no problem. A --broken copy must be rejected with a problem matching REGEX
// (the proof that a wrong field is caught). Exit 0 when all hold, 1 otherwise, 2 on bad usage.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));

// ---- arguments ----
const sets = [];
let secretsFile = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const [flag, value] = [argv[i], argv[i + 1]];
  if (flag === "--secrets" && value) { secretsFile = value; i++; continue; }
  if (flag === "--set" && value?.includes("=")) {
    const at = value.indexOf("=");
    sets.push({ name: value.slice(0, at), file: value.slice(at + 1), broken: false });
    i++; continue;
  }
  if (flag === "--broken" && value) {
    const m = /^([^=]+)=([^=]+)=(.+)$/.exec(value);
    if (!m) usage(`bad --broken ${value}`);
    sets.push({ name: m[1], file: m[2], broken: true, expect: new RegExp(m[3]) });
    i++; continue;
  }
  usage(`unknown argument ${flag}`);
}
if (!secretsFile || sets.length === 0) usage("need --secrets and at least one --set or --broken");

function usage(message) {
  console.error(`validate.mjs: ${message}`);
  console.error("usage: node validate.mjs --secrets FILE [--set NAME=FILE]... [--broken NAME=FILE=REGEX]...");
  process.exit(2);
}

// ---- reading ----
// YAML 1.1, as kubectl reads it (yes/no/on/off are booleans there).
function readDocuments(file) {
  const problems = [];
  const docs = [];
  let text;
  try { text = readFileSync(file, "utf8"); } catch (e) { return { docs, problems: [`cannot read ${file}: ${e.message}`] }; }
  for (const doc of parseAllDocuments(text, { version: "1.1", uniqueKeys: true })) {
    for (const e of doc.errors) problems.push(`[yaml] ${e.message.split("\n")[0]}`);
    // Through JSON, as kubectl sends it: a YAML 1.1 timestamp becomes its string.
    const value = JSON.parse(JSON.stringify(doc.toJS({ maxAliasCount: 100 }) ?? null));
    if (value !== null) docs.push(value);
  }
  return { docs, problems };
}

function idOf(doc) {
  return `${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}`;
}

// apiVersion + kind -> the module with its model class and interface.
function moduleOf(doc) {
  const [group, version] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : ["", doc.apiVersion];
  if (!/^[A-Za-z0-9]+$/.test(doc.kind) || !/^[a-z0-9.]*$/.test(group) || !/^v[0-9a-z]+$/.test(version)) return null;
  if (group === "postgresql.cnpg.io") return `@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/${version}/${doc.kind}`;
  return group === "" ? `kubernetes-models/${version}/${doc.kind}` : `kubernetes-models/${group}/${version}/${doc.kind}`;
}

// ---- [schema] ----
async function schemaProblems(doc) {
  if (typeof doc?.apiVersion !== "string" || typeof doc?.kind !== "string") return ["[schema] apiVersion and kind must be strings"];
  const spec = moduleOf(doc);
  let model;
  try { model = spec && (await import(spec))[doc.kind]; } catch { model = undefined; }
  if (typeof model !== "function") return [`[schema] no schema for ${doc.apiVersion} ${doc.kind}: not a kind this validator knows`];
  try {
    new model(doc).validate();
    return [];
  } catch (e) {
    const errors = e?.errors ?? [{ instancePath: "", message: String(e?.message ?? e) }];
    return errors
      .filter((x) => x.keyword !== "oneOf" && x.keyword !== "anyOf") // the branch errors say why
      .map((x) => `[schema] ${pathOf(x.instancePath)}: ${x.message}${x.params?.allowedValues ? ` (${x.params.allowedValues.join(", ")})` : ""}`);
  }
}

function pathOf(pointer) {
  if (!pointer) return "(document)";
  return pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, p) => (/^[0-9]+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
}

// ---- [fields] ----
// One TypeScript program for all documents: each becomes `const dN: IKind = <its JSON>;`. The
// JSON is written by hand so that every key's offset is known and a diagnostic can name its path.
function emitLiteral(value, path, indent, out, marks) {
  if (Array.isArray(value)) {
    if (value.length === 0) { out.push("[]"); return; }
    out.push("[\n");
    value.forEach((item, i) => {
      out.push(" ".repeat(indent + 2));
      marks.push({ at: out.join("").length, path: `${path}[${i}]` });
      emitLiteral(item, `${path}[${i}]`, indent + 2, out, marks);
      out.push(i + 1 < value.length ? ",\n" : "\n");
    });
    out.push(" ".repeat(indent) + "]");
  } else if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 0) { out.push("{}"); return; }
    out.push("{\n");
    keys.forEach((key, i) => {
      const child = path ? `${path}.${key}` : key;
      out.push(" ".repeat(indent + 2));
      marks.push({ at: out.join("").length, path: child });
      out.push(JSON.stringify(key) + ": ");
      emitLiteral(value[key], child, indent + 2, out, marks);
      out.push(i + 1 < keys.length ? ",\n" : "\n");
    });
    out.push(" ".repeat(indent) + "}");
  } else {
    out.push(JSON.stringify(value ?? null));
  }
}

function fieldProblems(entries) {
  const spans = [];
  let text = "";
  const append = (s) => { text += s; };
  entries.forEach((entry, n) => {
    const start = text.length;
    append(`import type { I${entry.doc.kind} as T${n} } from ${JSON.stringify(moduleOf(entry.doc))};\n`);
    spans.push({ entry, start, end: text.length, marks: [] });
  });
  entries.forEach((entry, n) => {
    const out = [];
    const marks = [];
    emitLiteral(entry.doc, "", 0, out, marks);
    const head = `const d${n}: T${n} = `;
    const start = text.length + head.length;
    append(head + out.join("") + ";\n");
    spans.push({ entry, start, end: text.length, marks: marks.map((m) => ({ at: start + m.at, path: m.path })) });
  });
  const fileName = join(here, "__manifests__.ts");
  const options = {
    noEmit: true, skipLibCheck: true, strict: false, types: [],
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    name === fileName ? ts.createSourceFile(name, text, lang, true) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === fileName ? text : readFile(name));
  const program = ts.createProgram([fileName], options, host);
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  for (const d of diagnostics) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    const span = d.file?.fileName === fileName ? spans.find((s) => d.start >= s.start && d.start < s.end) : undefined;
    if (!span) { entries.forEach((e) => e.problems.push(`[fields] ${message}`)); continue; }
    let path = "(document)";
    for (const m of span.marks) { if (m.at <= d.start) path = m.path; else break; }
    span.entry.problems.push(`[fields] ${path}: ${message}`);
  }
}

// ---- [rule] ----
const ownerSecret = "kinderqueue-db-owner";
// Made by others: CloudNativePG (the database CA), cert-manager or the region (the Ingress certificate).
const providedElsewhere = { "kinderqueue-db-ca": ["ca.crt"], "kinderqueue-tls": ["tls.crt", "tls.key"] };

function podSpecsOf(doc) {
  if (doc.kind === "Deployment" || doc.kind === "Job") return [doc.spec?.template?.spec].filter(Boolean);
  return [];
}

function secretRefsOf(pod) {
  const refs = [];
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const e of c.env ?? []) {
      const r = e.valueFrom?.secretKeyRef;
      if (r) refs.push({ where: `container ${c.name} env ${e.name}`, name: r.name, keys: [r.key] });
    }
    for (const e of c.envFrom ?? []) if (e.secretRef) refs.push({ where: `container ${c.name} envFrom`, name: e.secretRef.name, keys: [] });
  }
  for (const v of pod.volumes ?? []) {
    if (v.secret) refs.push({ where: `volume ${v.name}`, name: v.secret.secretName, keys: (v.secret.items ?? []).map((i) => i.key) });
  }
  return refs;
}

function rules(docs, secrets) {
  const problems = []; // { doc, text }
  const fail = (doc, text) => problems.push({ doc, text: `[rule] ${text}` });
  const byKind = (kind) => docs.filter((d) => d.kind === kind);
  const configMap = byKind("ConfigMap").find((d) => d.metadata?.name === "kinderqueue-config");

  for (const doc of docs) {
    for (const pod of podSpecsOf(doc)) {
      const psc = pod.securityContext ?? {};
      if (psc.runAsNonRoot !== true) fail(doc, "pod securityContext.runAsNonRoot must be true");
      if (psc.seccompProfile?.type !== "RuntimeDefault") fail(doc, "pod securityContext.seccompProfile.type must be RuntimeDefault");
      if (pod.automountServiceAccountToken !== false) fail(doc, "automountServiceAccountToken must be false: the service never calls the Kubernetes API");
      for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
        const sc = c.securityContext ?? {};
        if (sc.allowPrivilegeEscalation !== false) fail(doc, `container ${c.name}: securityContext.allowPrivilegeEscalation must be false`);
        if (sc.readOnlyRootFilesystem !== true) fail(doc, `container ${c.name}: securityContext.readOnlyRootFilesystem must be true`);
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(doc, `container ${c.name}: securityContext.capabilities.drop must include ALL`);
        const r = c.resources ?? {};
        for (const need of ["requests.cpu", "requests.memory", "limits.memory"]) {
          const [a, b] = need.split(".");
          if (r[a]?.[b] === undefined) fail(doc, `container ${c.name}: resources.${need} must be set`);
        }
      }
      for (const ref of secretRefsOf(pod)) {
        const known = secrets[ref.name] ?? providedElsewhere[ref.name];
        if (!known) { fail(doc, `${ref.where}: Secret ${ref.name} is neither in secrets.example.yaml nor made by the operator or the certificate issuer`); continue; }
        for (const key of ref.keys) if (!known.includes(key)) fail(doc, `${ref.where}: Secret ${ref.name} has no key ${key} (it has: ${known.join(", ")})`);
      }
    }
  }

  for (const d of byKind("Deployment")) {
    const pod = d.spec?.template?.spec ?? {};
    for (const ref of secretRefsOf(pod)) {
      if (ref.name === ownerSecret) fail(d, `${ref.where}: the service must not get the owner's Secret ${ownerSecret} (only the migration Job runs as the owner)`);
    }
    const c = pod.containers?.[0] ?? {};
    if (c.readinessProbe?.httpGet?.path !== "/readyz") fail(d, `container ${c.name}: readinessProbe must GET /readyz`);
    if (c.livenessProbe?.httpGet?.path !== "/healthz") fail(d, `container ${c.name}: livenessProbe must GET /healthz`);
    if (!c.startupProbe) fail(d, `container ${c.name}: a startupProbe must cover the first fold of the log`);
    const labels = d.spec?.template?.metadata?.labels ?? {};
    const selects = (selector) => selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
    for (const s of byKind("Service")) if (!selects(s.spec?.selector)) fail(s, `selector does not select the pods of Deployment/${d.metadata?.name}`);
    for (const p of byKind("PodDisruptionBudget")) if (!selects(p.spec?.selector?.matchLabels)) fail(p, `selector does not select the pods of Deployment/${d.metadata?.name}`);
    for (const h of byKind("HorizontalPodAutoscaler")) {
      if (h.spec?.scaleTargetRef?.kind !== "Deployment" || h.spec?.scaleTargetRef?.name !== d.metadata?.name) fail(h, `must scale Deployment/${d.metadata?.name}`);
      if ((h.spec?.minReplicas ?? 1) < 2) fail(h, "minReplicas must be at least 2 (several replicas)");
    }
  }

  for (const j of byKind("Job")) {
    const c = j.spec?.template?.spec?.containers?.[0] ?? {};
    if (JSON.stringify(c.args) !== JSON.stringify(["migrate"])) fail(j, `container ${c.name}: args must be ["migrate"]`);
    const conn = (c.env ?? []).find((e) => e.name === "KinderQueue__PostgresConnectionString");
    if (conn?.valueFrom?.secretKeyRef?.name !== ownerSecret) fail(j, `container ${c.name}: KinderQueue__PostgresConnectionString must come from ${ownerSecret} (the migration runs as the owner)`);
    const deploymentImages = byKind("Deployment").map((d) => d.spec?.template?.spec?.containers?.[0]?.image);
    if (deploymentImages.length && !deploymentImages.includes(c.image)) fail(j, `container ${c.name}: image ${c.image} differs from the Deployment's ${deploymentImages.join(", ")}`);
  }

  const limits = { kinderqueue: "KinderQueue__MaxRequestBytes", "kinderqueue-capacity": "KinderQueue__MaxCapacityCsvBytes" };
  for (const i of byKind("Ingress")) {
    const setting = limits[i.metadata?.name];
    if (!setting) continue;
    const body = i.metadata?.annotations?.["nginx.ingress.kubernetes.io/proxy-body-size"];
    const want = configMap?.data?.[setting];
    if (body !== want) fail(i, `proxy-body-size ${body} must equal the ConfigMap's ${setting} (${want})`);
  }
  return problems;
}

// ---- run ----
const secretsRead = readDocuments(secretsFile);
const secrets = {};
for (const s of secretsRead.docs.filter((d) => d?.kind === "Secret")) {
  secrets[s.metadata?.name] = [...Object.keys(s.stringData ?? {}), ...Object.keys(s.data ?? {})];
}

const results = [];
const typed = [];
for (const set of sets) {
  const read = readDocuments(set.file);
  const entries = read.docs.map((doc) => ({ doc, problems: [] }));
  for (const entry of entries) {
    entry.problems.push(...(await schemaProblems(entry.doc)));
    if (typeof entry.doc?.kind === "string" && typeof entry.doc?.apiVersion === "string" && moduleOf(entry.doc)) typed.push(entry);
  }
  if (entries.length === 0) read.problems.push("no documents");
  results.push({ set, entries, fileProblems: read.problems });
}
fieldProblems(typed.filter((e) => !e.problems.some((p) => p.startsWith("[schema] no schema"))));
for (const r of results) {
  for (const p of rules(r.entries.map((e) => e.doc), secrets)) r.entries.find((e) => e.doc === p.doc).problems.push(p.text);
}

let failures = 0;
for (const { set, entries, fileProblems } of results) {
  const problems = [...fileProblems.map((p) => `${set.file}: ${p}`), ...entries.flatMap((e) => e.problems.map((p) => `${idOf(e.doc)} ${p}`))];
  if (!set.broken) {
    const ok = problems.length === 0;
    if (!ok) failures++;
    console.log(`${ok ? "ok  " : "FAIL"} ${set.name}: ${entries.length} documents (${entries.map((e) => idOf(e.doc)).join(", ")})${ok ? "" : `, ${problems.length} problems:`}`);
    for (const p of problems) console.log(`       ${p}`);
  } else {
    const caught = problems.filter((p) => set.expect.test(p));
    const ok = caught.length > 0;
    if (!ok) failures++;
    console.log(`${ok ? "ok  " : "FAIL"} ${set.name}: ${ok ? "rejected, as it must be" : `not rejected for ${set.expect}`}`);
    for (const p of ok ? caught : problems) console.log(`       ${p}`);
  }
}
process.exit(failures === 0 ? 0 : 1);
