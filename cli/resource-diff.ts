/**
 * The reviewer's view of a change (`npm run diff`): dist/ before and after, compared resource by
 * resource — Kubernetes objects by file, Terraform resources by stack and address — with each
 * changed field as a path and its old and new value (lists compared by identity, see
 * `diff/keyed-lists.ts`), the important fields of added and removed resources, and the risk
 * classes of the change in a banner at the top (`diff/risks.ts`).
 */
import type { FieldChange } from './diff/field-change';
import { fieldChanges } from './diff/keyed-lists';
import { type Resource, resourcesOf } from './diff/resources';
import { RISK_CLASSES, RISK_ORDER, type Risk, type RiskClass, risksOf } from './diff/risks';
import { resourceSummary } from './diff/summaries';
import { showPair } from './diff/value-display';

export type { FieldChange } from './diff/field-change';
export { fieldChanges } from './diff/keyed-lists';
export { resourcesOf } from './diff/resources';
export type { Risk, RiskClass } from './diff/risks';

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface ResourceChange {
  /** The review group: a cluster (`prod-blue`) or a Terraform stack (`stack prod-network`). */
  readonly group: string;
  /** `Deployment kube-system/external-dns` or `aws_eks_node_group.node-group-spot-a`. */
  readonly resource: string;
  readonly file: string;
  readonly kind: ChangeKind;
  /** For an added or removed resource: its important fields, e.g. `type LoadBalancer; scheme internet-facing`. */
  readonly summary: string;
  readonly fields: readonly FieldChange[];
  readonly risks: readonly Risk[];
}

export interface TreeDiff {
  readonly changes: readonly ResourceChange[];
}

export function diffTrees(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): TreeDiff {
  const a = resourcesOf(before);
  const b = resourcesOf(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: ResourceChange[] = [];
  for (const key of keys) {
    const old = a.get(key);
    const next = b.get(key);
    const resource = (next ?? old) as Resource;
    const kind: ChangeKind = old === undefined ? 'added' : next === undefined ? 'removed' : 'changed';
    const fields = kind === 'changed' ? fieldChanges(old?.body, next?.body) : [];
    if (kind === 'changed' && fields.length === 0) continue;
    changes.push({
      group: resource.group,
      resource: resource.name,
      file: resource.file,
      kind,
      summary:
        kind === 'changed'
          ? ''
          : resourceSummary(
              resource.kind,
              resource.body,
              (address) => (next ? b : a).get(`${resource.file}#${address}`)?.body,
            ),
      fields,
      risks: risksOf({
        resource,
        kind,
        ...(old ? { before: old } : {}),
        ...(next ? { after: next } : {}),
        fields,
        beforeTree: a,
        afterTree: b,
      }),
    });
  }
  return { changes };
}

interface SummaryRow {
  readonly group: string;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  readonly risky: number;
}

function summaryRows(diff: TreeDiff): SummaryRow[] {
  const groups = [...new Set(diff.changes.map((c) => c.group))].sort();
  return groups.map((group) => {
    const of = diff.changes.filter((c) => c.group === group);
    return {
      group,
      added: of.filter((c) => c.kind === 'added').length,
      changed: of.filter((c) => c.kind === 'changed').length,
      removed: of.filter((c) => c.kind === 'removed').length,
      risky: of.filter((c) => c.risks.length > 0).length,
    };
  });
}

export interface RiskBanner {
  readonly class: RiskClass;
  readonly title: string;
  readonly explanation: string;
  /** Changes raising this class. */
  readonly count: number;
  /** Where: the clusters and stacks concerned. */
  readonly groups: readonly string[];
}

/** The risk classes a change raises, in banner order. */
export function riskBanner(diff: TreeDiff): RiskBanner[] {
  return RISK_ORDER.flatMap((risk) => {
    const raising = diff.changes.filter((c) => c.risks.some((r) => r.class === risk));
    if (raising.length === 0) return [];
    return [
      {
        class: risk,
        ...RISK_CLASSES[risk],
        count: raising.length,
        groups: [...new Set(raising.map((c) => c.group))].sort(),
      },
    ];
  });
}

function riskText(risk: Risk): string {
  return `${RISK_CLASSES[risk.class].title}: ${risk.detail}`;
}

/** Inline code that survives backticks and pipes in a Markdown table cell. */
function code(text: string): string {
  const escaped = text.replace(/\|/g, '\\|');
  return escaped.includes('`') ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

/** Markdown for pull-request comments, split into parts of at most `limit` characters. */
export function markdownReport(diff: TreeDiff, base: string, limit = 60_000): string[] {
  if (diff.changes.length === 0) return [`### eks-platform: no changes against \`${base}\`\n`];
  const banner = riskBanner(diff);
  const head = [
    `### eks-platform: changes against \`${base}\``,
    '',
    ...(banner.length > 0
      ? [
          `> **⚠ ${banner.length} risk class(es) in this change**`,
          '>',
          ...banner.map(
            (b) => `> - **${b.title}** (${b.count} change(s) in ${b.groups.join(', ')}): ${b.explanation}`,
          ),
          '',
        ]
      : [
          'No risk class raised: nothing moves traffic, rolls nodes, replaces, deletes, exposes or broadens.',
          '',
        ]),
    '| cluster / stack | added | changed | removed | ⚠ risky |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...summaryRows(diff).map((r) => `| ${r.group} | ${r.added} | ${r.changed} | ${r.removed} | ${r.risky} |`),
    '',
  ].join('\n');
  // Per group: one line per added or removed resource with its important fields, a table of
  // fields per changed one.
  const sections = [...new Set(diff.changes.map((c) => c.group))].sort().flatMap((group) => {
    const of = diff.changes.filter((c) => c.group === group);
    const lines = [`#### ${group}`];
    for (const c of of.filter((x) => x.kind !== 'changed')) {
      lines.push(
        `- ${c.kind === 'added' ? '➕ added' : '➖ removed'} \`${c.resource}\`${c.summary ? ` — ${c.summary}` : ''}${c.risks.map((r) => ` ⚠ **${riskText(r)}**`).join('')}`,
      );
    }
    const pieces = [lines.length > 1 ? `${lines[0]}\n\n${lines.slice(1).join('\n')}` : lines.join('')];
    for (const c of of.filter((x) => x.kind === 'changed')) {
      const table = [`**✏️ \`${c.resource}\`** (\`dist/${c.file}\`)`, ''];
      for (const risk of c.risks) table.push(`> ⚠ **${riskText(risk)}**`, '');
      table.push('| field | before | after |', '| --- | --- | --- |');
      for (const f of c.fields) {
        const [before, after] = showPair(f.before, f.after);
        table.push(`| ${code(f.path)} | ${code(before)} | ${code(after)} |`);
      }
      pieces.push(table.join('\n'));
    }
    return pieces;
  });
  const parts: string[] = [];
  let current = head;
  for (const section of sections) {
    const piece =
      section.length > limit - 200
        ? `${section.slice(0, limit - 300)}\n\n…(cut: see \`npm run diff -- --format text\`)\n`
        : section;
    if (current.length + piece.length + 1 > limit - 100) {
      parts.push(current);
      current = '';
    }
    current += `\n${piece}\n`;
  }
  parts.push(current);
  return parts.length === 1
    ? parts
    : parts.map((p, i) => `<!-- eks-platform diff: part ${i + 1} of ${parts.length} -->\n${p}`);
}

export function textReport(diff: TreeDiff, base: string): string {
  if (diff.changes.length === 0) return `no changes against ${base}\n`;
  const lines = [`changes against ${base}:`];
  const banner = riskBanner(diff);
  if (banner.length > 0) {
    lines.push('RISKS:');
    for (const b of banner)
      lines.push(`  ! ${b.title} (${b.count} change(s) in ${b.groups.join(', ')}): ${b.explanation}`);
  }
  for (const r of summaryRows(diff))
    lines.push(
      `  ${r.group}: ${r.added} added, ${r.changed} changed, ${r.removed} removed, ${r.risky} risky`,
    );
  lines.push('');
  for (const c of diff.changes) {
    lines.push(
      `${c.kind.toUpperCase()} ${c.group}: ${c.resource} (dist/${c.file})${c.summary ? `: ${c.summary}` : ''}`,
    );
    for (const risk of c.risks) lines.push(`  ! ${riskText(risk)}`);
    for (const f of c.fields) {
      const [before, after] = showPair(f.before, f.after);
      lines.push(`  ${f.path}: ${before} -> ${after}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function jsonReport(diff: TreeDiff, base: string): string {
  return `${JSON.stringify(
    { base, risks: riskBanner(diff), summary: summaryRows(diff), changes: diff.changes },
    null,
    2,
  )}\n`;
}
