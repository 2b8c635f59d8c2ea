// faultline.sarif — SARIF 2.1.0 (OASIS Standard incl. Errata 01) for code-scanning tools.
// A pure function of the model and the rule catalogue; every array is sorted here.
//
// Decisions:
// - One run; tool.driver.rules holds every rule of the catalogue passed in, sorted by id,
//   plus a minimal descriptor for any rule id a finding uses that the catalogue lacks, so
//   every result has a valid ruleIndex.
// - Risks and opportunities are results of kind "fail" with a level from the severity
//   (critical/high → error, medium → warning, low/info → note).
// - Strengths and observations do not indicate a problem: they are results of kind
//   "informational" (SARIF §3.27.9: "a purely informational result that does not indicate
//   the presence of a problem") with level "none", which §3.27.10 requires for any kind
//   other than "fail". Code-scanning UIs therefore do not raise them as alerts, yet the
//   inventory of mechanisms travels with the log. Their severity and polarity are kept in
//   result.properties. Strength rules get defaultConfiguration.level "none".
// - Suppressed findings stay in the log with suppressions: [{ kind: "inSource", status:
//   "accepted", justification, location }].
// - Locations are relative URIs (each path segment percent-encoded) against the uriBaseId
//   "%SRCROOT%", declared in run.originalUriBaseIds. A finding without a location falls
//   back to its element's first evidence; with neither it has no location.
// - partialFingerprints["faultline/v1"] is the finding id (stable across line moves).
// - Diagnostics become toolExecutionNotifications of the run's single invocation.

import type { Finding, Location, Model, Evidence, Severity } from '../model/types.js';
import type { RuleMeta } from '../rules/types.js';
import { cmp, indexModel } from './mermaid.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const SARIF_VERSION = '2.1.0';
/** Where users learn about the tool. Placeholder until the project has a published home. */
export const FAULTLINE_INFORMATION_URI = 'https://www.npmjs.com/package/faultline';
export const SRCROOT = '%SRCROOT%';
export const FINGERPRINT_KEY = 'faultline/v1';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';
export type SarifKind = 'fail' | 'informational';

export interface SarifMessage { text: string; markdown?: string }
export interface SarifArtifactLocation { uri?: string; uriBaseId?: string; description?: SarifMessage }
export interface SarifRegion { startLine: number; endLine?: number; snippet?: { text: string } }
export interface SarifLocation { physicalLocation: { artifactLocation: SarifArtifactLocation; region?: SarifRegion } }
export interface SarifReportingDescriptor {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription?: SarifMessage;
  help?: SarifMessage;
  defaultConfiguration: { level: SarifLevel };
  properties: Record<string, unknown> & { tags: string[] };
}
export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  kind: SarifKind;
  level: SarifLevel;
  message: SarifMessage;
  locations?: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: 'inSource'; status: 'accepted'; justification: string; location?: SarifLocation }[];
  properties: Record<string, unknown>;
}
export interface SarifNotification { level: SarifLevel; message: SarifMessage; descriptor?: { id: string }; locations?: SarifLocation[] }
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [{
    tool: { driver: { name: string; version: string; semanticVersion?: string; informationUri: string; rules: SarifReportingDescriptor[] } };
    originalUriBaseIds: Record<string, SarifArtifactLocation>;
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: SarifNotification[] }[];
    results: SarifResult[];
    properties: Record<string, unknown>;
  }];
}

export interface SarifOptions {
  /** Absolute file: URI of the scanned root (must end with "/"); omitted, the consumer resolves %SRCROOT%. */
  srcRootUri?: string;
  informationUri?: string;
}

export function severityToLevel(s: Severity): SarifLevel {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

/** GitHub's security-severity scale (0–10), set on security rules only. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** `db/pool-unbounded` → `DbPoolUnbounded`. */
export function ruleName(id: string): string {
  const name = id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0].toUpperCase() + p.slice(1)).join('');
  return name || 'Rule';
}

/** A relative URI reference for a "/"-separated path: each segment percent-encoded. */
export function pathToUri(file: string): string {
  const p = file.replace(/\\/g, '/').replace(/^\.\//, '').replace(/^\/+/, '');
  return p.split('/').map((seg) => encodeURIComponent(seg)).join('/');
}

function physical(l: Location | Evidence): SarifLocation {
  const startLine = Math.max(1, Math.floor(l.line || 1));
  const region: SarifRegion = { startLine };
  const loc = l as Location;
  if (loc.endLine !== undefined && loc.endLine > startLine) region.endLine = Math.floor(loc.endLine);
  if (loc.snippet !== undefined && loc.snippet !== '') region.snippet = { text: loc.snippet };
  return { physicalLocation: { artifactLocation: { uri: pathToUri(l.file), uriBaseId: SRCROOT }, region } };
}

function sentence(s: string): string {
  const t = s.trim();
  return t === '' || /[.!?]$/.test(t) ? t : `${t}.`;
}

function helpText(r: RuleMeta): string {
  const d = r.docs;
  const refs = d.references.length > 0 ? `\n\nReferences:\n${d.references.map((x) => `- ${x}`).join('\n')}` : '';
  return `${d.what}\n\nWhy it matters: ${d.why}\n\nHow to fix: ${d.fix}\n\nDoes not fire on: ${d.falsePositiveGuard}${refs}`;
}

function helpMarkdown(r: RuleMeta): string {
  const d = r.docs;
  const refs = d.references.length > 0 ? `\n\n## References\n\n${d.references.map((x) => `- ${x}`).join('\n')}` : '';
  return `${d.what}\n\n## Why it matters\n\n${d.why}\n\n## How to fix\n\n${d.fix}\n\n## False-positive guard\n\n${d.falsePositiveGuard}${refs}`;
}

function descriptor(r: RuleMeta): SarifReportingDescriptor {
  const tags = [...new Set(['faultline', r.category, r.polarity, ...(r.category === 'security' ? ['security'] : [])])].sort(cmp);
  const properties: SarifReportingDescriptor['properties'] = {
    category: r.category,
    polarity: r.polarity,
    defaultSeverity: r.defaultSeverity,
    effort: r.effort,
    priority: r.priority,
    tags,
  };
  if (r.category === 'security') properties['security-severity'] = SECURITY_SEVERITY[r.defaultSeverity];
  return {
    id: r.id,
    name: ruleName(r.id),
    shortDescription: { text: r.title },
    fullDescription: { text: r.docs.what },
    help: { text: helpText(r), markdown: helpMarkdown(r) },
    defaultConfiguration: { level: r.polarity === 'strength' || r.polarity === 'observation' ? 'none' : severityToLevel(r.defaultSeverity) },
    properties,
  };
}

/** A descriptor for a rule id that findings use but the catalogue does not describe. */
function placeholderDescriptor(f: Finding): SarifReportingDescriptor {
  return {
    id: f.rule,
    name: ruleName(f.rule),
    shortDescription: { text: f.rule },
    defaultConfiguration: { level: f.polarity === 'strength' || f.polarity === 'observation' ? 'none' : severityToLevel(f.severity) },
    properties: { category: f.category, polarity: f.polarity, tags: [...new Set(['faultline', f.category, f.polarity])].sort(cmp) },
  };
}

function isInformational(f: Finding): boolean {
  return f.polarity === 'strength' || f.polarity === 'observation';
}

export function renderSarif(model: Model, rules: RuleMeta[], opts: SarifOptions = {}): SarifLog {
  const ix = indexModel(model);
  const byId = new Map<string, SarifReportingDescriptor>();
  for (const r of rules) byId.set(r.id, descriptor(r));
  const findings = [...model.findings].sort((a, b) => {
    const la = a.locations[0];
    const lb = b.locations[0];
    return cmp(a.rule, b.rule) || cmp(la?.file ?? '', lb?.file ?? '') || (la?.line ?? 0) - (lb?.line ?? 0) || cmp(a.id, b.id);
  });
  for (const f of findings) if (!byId.has(f.rule)) byId.set(f.rule, placeholderDescriptor(f));
  const descriptors = [...byId.values()].sort((a, b) => cmp(a.id, b.id));
  const index = new Map(descriptors.map((d, i) => [d.id, i]));

  const results: SarifResult[] = findings.map((f) => {
    const info = isInformational(f);
    const text = [sentence(f.title), f.impact.trim() ? `Impact: ${sentence(f.impact)}` : '',
      f.recommendation.trim() ? `Recommendation: ${sentence(f.recommendation)}` : ''].filter(Boolean).join(' ');
    let locs: (Location | Evidence)[] = [...f.locations];
    if (locs.length === 0 && f.element) locs = [...(ix.node(f.element)?.evidence ?? [])].slice(0, 1);
    const result: SarifResult = {
      ruleId: f.rule,
      ruleIndex: index.get(f.rule)!,
      kind: info ? 'informational' : 'fail',
      level: info ? 'none' : severityToLevel(f.severity),
      message: { text },
      partialFingerprints: { [FINGERPRINT_KEY]: f.id },
      properties: {
        severity: f.severity,
        polarity: f.polarity,
        category: f.category,
        effort: f.effort,
        priority: f.priority,
        ...(f.element ? { element: f.element } : {}),
      },
    };
    if (locs.length > 0) result.locations = locs.map(physical);
    if (f.suppressed) {
      result.suppressions = [{
        kind: 'inSource',
        status: 'accepted',
        justification: f.suppressed.reason,
        location: physical({ file: f.suppressed.file, line: f.suppressed.line }),
      }];
    }
    return result;
  });

  const notifications: SarifNotification[] = [...model.diagnostics]
    .sort((a, b) => cmp(a.file, b.file) || cmp(a.code ?? '', b.code ?? '') || cmp(a.message, b.message))
    .map((d) => ({
      level: 'warning' as const,
      message: { text: d.message || 'diagnostic' },
      ...(d.code ? { descriptor: { id: d.code } } : {}),
      ...(d.file ? { locations: [{ physicalLocation: { artifactLocation: { uri: pathToUri(d.file), uriBaseId: SRCROOT } } }] } : {}),
    }));

  const srcroot: SarifArtifactLocation = {
    description: { text: `The root of the scanned repository (faultline model root "${model.root}").` },
  };
  if (opts.srcRootUri) srcroot.uri = opts.srcRootUri.endsWith('/') ? opts.srcRootUri : `${opts.srcRootUri}/`;

  const version = model.tool.version;
  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [{
      tool: {
        driver: {
          name: 'faultline',
          version,
          ...(/^\d+\.\d+\.\d+/.test(version) ? { semanticVersion: version } : {}),
          informationUri: opts.informationUri ?? FAULTLINE_INFORMATION_URI,
          rules: descriptors,
        },
      },
      originalUriBaseIds: { [SRCROOT]: srcroot },
      invocations: [{ executionSuccessful: true, ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}) }],
      results,
      properties: { schemaVersion: model.schemaVersion },
    }],
  };
}

/** The SARIF log as the bytes of faultline.sarif: two-space JSON and a final newline. */
export function stringifySarif(log: SarifLog): string {
  return JSON.stringify(log, null, 2) + '\n';
}

export function renderSarifString(model: Model, rules: RuleMeta[], opts: SarifOptions = {}): string {
  return stringifySarif(renderSarif(model, rules, opts));
}
