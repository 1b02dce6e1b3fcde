/**
 * SecretZero for VS Code: live diagnostics on Secretfiles, a tree of the secrets that need a
 * person (with their steps and docs), and the `agent sync` commands.
 *
 * Uses the CommonJS entry of `@secretzero/agent` (`require`), which loads the WebAssembly
 * core synchronously: no initialisation, no top-level await.
 *
 * Values: a value the person types (input box with `password: true`) goes straight to the
 * project's targets through `syncProject({ values })` and is never logged, stored in settings
 * or shown; the output channel only ever receives the sync report, which holds no value.
 */

import * as path from 'node:path';

import { formatReport, isSecretZeroError, syncProject, validateSecretfile } from '@secretzero/agent';
import type { SyncReport } from '@secretzero/agent';
import * as vscode from 'vscode';

import { Debouncer } from './logic/debounce';
import { isSecretfile, toEditorDiagnostics } from './logic/ranges';
import { reportTree, summaryLine } from './logic/tree';
import type { TreeNode } from './logic/tree';

const SOURCE = 'secretzero';

class PendingTree implements vscode.TreeDataProvider<TreeNode> {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private nodes: TreeNode[] = [];

  show(report: SyncReport | undefined, problem?: string): void {
    if (problem !== undefined) {
      this.nodes = [{ id: 'problem', label: problem, kind: 'failed', children: [] }];
    } else {
      this.nodes = report ? reportTree(report) : [];
    }
    this.changed.fire(undefined);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return node ? node.children : this.nodes;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const state =
      node.children.length === 0
        ? vscode.TreeItemCollapsibleState.None
        : node.kind === 'group' && node.id !== 'ready'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    if (node.description !== undefined) item.description = node.description;
    if (node.tooltip !== undefined) item.tooltip = node.tooltip;
    item.contextValue = node.kind;
    const icons: Record<TreeNode['kind'], string> = {
      group: 'list-tree',
      pending: 'key',
      step: 'circle-large-outline',
      info: 'info',
      docs: 'link-external',
      synced: 'pass',
      failed: 'error',
      empty: 'check-all',
    };
    item.iconPath = new vscode.ThemeIcon(icons[node.kind]);
    if (node.kind === 'docs' && node.url) {
      item.command = { command: 'secretzero.openDocs', title: 'Open documentation', arguments: [node] };
    }
    return item;
  }
}

/** The Secretfile of the workspace: the setting `secretzero.file` in the first folder that has it. */
async function findProject(): Promise<{ cwd: string; file: string } | undefined> {
  const name = vscode.workspace.getConfiguration('secretzero').get<string>('file', 'Secretfile.yml');
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, name);
    try {
      await vscode.workspace.fs.stat(uri);
      return { cwd: folder.uri.fsPath, file: name };
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export function activate(context: vscode.ExtensionContext): void {
  const diagnostics = vscode.languages.createDiagnosticCollection(SOURCE);
  const output = vscode.window.createOutputChannel('SecretZero');
  const tree = new PendingTree();
  context.subscriptions.push(
    diagnostics,
    output,
    vscode.window.registerTreeDataProvider('secretzero.pending', tree),
  );

  // --- diagnostics as the user types --------------------------------------------------------
  const check = (doc: vscode.TextDocument): void => {
    if (doc.isClosed) return;
    const text = doc.getText();
    let result;
    try {
      result = validateSecretfile(text);
    } catch (e) {
      output.appendLine(`validate failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    diagnostics.set(
      doc.uri,
      toEditorDiagnostics(result.diagnostics, text).map((d) => {
        const diag = new vscode.Diagnostic(
          new vscode.Range(d.start.line, d.start.character, d.end.line, d.end.character),
          d.message,
          d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error,
        );
        diag.source = SOURCE;
        diag.code = d.code;
        return diag;
      }),
    );
  };
  const docs = new Map<string, vscode.TextDocument>();
  const debouncer = new Debouncer<string>(300, (key) => {
    const doc = docs.get(key);
    if (doc) check(doc);
  });
  context.subscriptions.push({ dispose: () => debouncer.dispose() });
  const watch = (doc: vscode.TextDocument, now = false): void => {
    if (!isSecretfile(doc.fileName)) return;
    const key = doc.uri.toString();
    docs.set(key, doc);
    if (now) check(doc);
    else debouncer.schedule(key);
  };
  for (const doc of vscode.workspace.textDocuments) watch(doc, true);
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument((doc) => watch(doc, true)),
    vscode.workspace.onDidChangeTextDocument((e) => watch(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      const key = doc.uri.toString();
      debouncer.cancel(key);
      docs.delete(key);
      diagnostics.delete(doc.uri);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (isSecretfile(doc.fileName)) void refresh();
    }),
  );

  // --- sync ---------------------------------------------------------------------------------
  async function run(dryRun: boolean, values?: Record<string, string>): Promise<SyncReport | undefined> {
    const project = await findProject();
    if (!project) {
      tree.show(undefined, 'No Secretfile.yml in this workspace');
      if (!dryRun) void vscode.window.showWarningMessage('SecretZero: no Secretfile.yml in this workspace.');
      return undefined;
    }
    try {
      const { report } = await syncProject({ cwd: project.cwd, file: project.file, dryRun, values });
      tree.show(report);
      return report;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      tree.show(undefined, `Cannot sync: ${message}`);
      output.appendLine(`[${new Date().toISOString()}] ${path.join(project.cwd, project.file)}: ${message}`);
      if (isSecretZeroError(e) && e.diagnostics) {
        for (const d of e.diagnostics) output.appendLine(`  ${d.line ?? '?'}:${d.column ?? '?'} ${d.code} ${d.message}`);
      }
      throw e;
    }
  }

  async function refresh(): Promise<void> {
    try {
      await run(true);
    } catch {
      // shown in the tree
    }
  }

  async function syncCommand(dryRun: boolean): Promise<void> {
    try {
      const report = await run(dryRun);
      if (!report) return;
      output.appendLine(`[${new Date().toISOString()}] secretzero agent sync${dryRun ? ' --dry-run' : ''}`);
      output.append(formatReport(report));
      output.show(true);
      void vscode.window.showInformationMessage(summaryLine(report));
      if (dryRun) void refresh();
    } catch (e) {
      void vscode.window.showErrorMessage(`SecretZero: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  context.subscriptions.push(
    vscode.commands.registerCommand('secretzero.agentSync', () => syncCommand(false)),
    vscode.commands.registerCommand('secretzero.agentSyncDryRun', () => syncCommand(true)),
    vscode.commands.registerCommand('secretzero.refresh', () => refresh()),
    vscode.commands.registerCommand('secretzero.openDocs', (node?: TreeNode) => {
      if (node?.url) void vscode.env.openExternal(vscode.Uri.parse(node.url));
    }),
    vscode.commands.registerCommand('secretzero.enterValue', async (node?: TreeNode) => {
      const name = node?.secret;
      if (!name) return;
      const value = await vscode.window.showInputBox({
        title: `SecretZero: value of ${name}`,
        prompt: node.tooltip ?? `The value of ${name}; it is written to the secret's targets only.`,
        password: true,
        ignoreFocusOut: true,
      });
      if (value === undefined || value === '') return;
      try {
        const report = await run(false, { [name]: value });
        if (!report) return;
        output.appendLine(`[${new Date().toISOString()}] secretzero agent sync (value entered for ${name})`);
        output.append(formatReport(report));
        const reason = report.failed_secrets[name];
        if (reason !== undefined) void vscode.window.showErrorMessage(`SecretZero: ${name} not saved: ${reason}`);
        else void vscode.window.showInformationMessage(`SecretZero: ${name} saved to its targets.`);
      } catch (e) {
        void vscode.window.showErrorMessage(`SecretZero: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
  );

  void refresh();
}

export function deactivate(): void {}
