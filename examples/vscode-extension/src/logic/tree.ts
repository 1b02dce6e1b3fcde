/**
 * A sync report -> the nodes of the "SecretZero" tree view, without VS Code (tested with
 * node:test). The report never holds a value, so neither does the tree.
 */

import type { PendingSecret, SyncReport } from '@secretzero/agent';

/** One node of the tree. */
export interface TreeNode {
  /** Stable id (`pending/stripe_api_key/step/0`). */
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** What the node is: drives its icon and context menu. */
  kind: 'group' | 'pending' | 'step' | 'info' | 'docs' | 'synced' | 'failed' | 'empty';
  /** The secret this node belongs to. */
  secret?: string;
  /** For `docs` nodes: the link to open. */
  url?: string;
  children: TreeNode[];
}

function pendingNode(name: string, p: PendingSecret): TreeNode {
  const id = `pending/${name}`;
  const children: TreeNode[] = [];
  if (p.prerequisites?.length) {
    children.push({
      id: `${id}/prerequisites`,
      label: 'Before you start',
      kind: 'group',
      secret: name,
      children: p.prerequisites.map((text, i) => ({
        id: `${id}/prerequisites/${i}`,
        label: text,
        kind: 'info',
        secret: name,
        children: [],
      })),
    });
  }
  p.steps.forEach((s, i) => {
    children.push({
      id: `${id}/step/${i}`,
      label: `${i + 1}. ${s.action}`,
      ...(s.required === false ? { description: 'optional' } : {}),
      tooltip: s.description,
      kind: 'step',
      secret: name,
      children: [],
    });
  });
  if (p.estimated_time) {
    children.push({ id: `${id}/time`, label: `Estimated time: ${p.estimated_time}`, kind: 'info', secret: name, children: [] });
  }
  if (p.automation_hint) {
    children.push({ id: `${id}/hint`, label: p.automation_hint, kind: 'info', secret: name, children: [] });
  }
  if (p.fallback) {
    children.push({ id: `${id}/fallback`, label: `If this fails: ${p.fallback}`, kind: 'info', secret: name, children: [] });
  }
  if (p.documentation_url && /^https?:\/\//i.test(p.documentation_url)) {
    children.push({
      id: `${id}/docs`,
      label: 'Open documentation',
      description: p.documentation_url,
      kind: 'docs',
      url: p.documentation_url,
      secret: name,
      children: [],
    });
  }
  const level = p.automation_level?.replace(/_/g, ' ');
  return {
    id,
    label: name,
    ...(level ? { description: level } : {}),
    tooltip: p.summary,
    kind: 'pending',
    secret: name,
    children,
  };
}

/** The tree for a report: pending secrets (with their steps), then failed, then ready ones. */
export function reportTree(report: SyncReport): TreeNode[] {
  const pending = Object.entries(report.pending_secrets);
  const failed = Object.entries(report.failed_secrets);
  const ready = [...report.already_synced, ...report.synced_secrets];
  const nodes: TreeNode[] = [];
  if (pending.length === 0 && failed.length === 0) {
    nodes.push({
      id: 'empty',
      label: ready.length ? 'Every secret is set up' : 'No secrets declared',
      kind: 'empty',
      children: [],
    });
  }
  if (pending.length) {
    nodes.push({
      id: 'pending',
      label: `Needs you (${pending.length})`,
      kind: 'group',
      children: pending.map(([name, p]) => pendingNode(name, p)),
    });
  }
  if (failed.length) {
    nodes.push({
      id: 'failed',
      label: `Failed (${failed.length})`,
      kind: 'group',
      children: failed.map(([name, reason]) => ({
        id: `failed/${name}`,
        label: name,
        description: reason,
        tooltip: reason,
        kind: 'failed',
        secret: name,
        children: [],
      })),
    });
  }
  if (ready.length) {
    const synced = new Set(report.synced_secrets);
    nodes.push({
      id: 'ready',
      label: `Ready (${ready.length})`,
      kind: 'group',
      children: ready.map((name) => ({
        id: `ready/${name}`,
        label: name,
        description: synced.has(name) ? (report.dry_run ? 'would be generated' : 'synced now') : 'in the lockfile',
        kind: 'synced',
        secret: name,
        children: [],
      })),
    });
  }
  return nodes;
}

/** One line for a notification: "SecretZero: 4 synced, 2 need you." */
export function summaryLine(report: SyncReport): string {
  const parts: string[] = [];
  const synced = report.synced_secrets.length;
  if (synced) parts.push(`${synced} ${report.dry_run ? 'would be synced' : 'synced'}`);
  if (report.already_synced.length) parts.push(`${report.already_synced.length} already synced`);
  const pending = Object.keys(report.pending_secrets).length;
  if (pending) parts.push(`${pending} need${pending === 1 ? 's' : ''} you`);
  const failed = Object.keys(report.failed_secrets).length;
  if (failed) parts.push(`${failed} failed`);
  if (parts.length === 0) parts.push('nothing to do');
  return `SecretZero${report.dry_run ? ' (dry run)' : ''}: ${parts.join(', ')}.`;
}
