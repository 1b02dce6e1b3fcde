// A small stand-in for the `vscode` module: just the API the extension uses, recording what it
// is asked to show, so that activate() and the commands can run under node:test. Not a VS Code
// emulator: tests drive it through `__test` (open documents, answer input boxes, read what was
// shown).

'use strict';

const fs = require('node:fs');
const path = require('node:path');

class EventEmitter {
  constructor() {
    this.listeners = [];
    this.event = (fn) => {
      this.listeners.push(fn);
      return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== fn)) };
    };
  }
  fire(v) {
    for (const l of this.listeners) l(v);
  }
  dispose() {
    this.listeners = [];
  }
}

class Uri {
  constructor(fsPath, scheme = 'file') {
    this.fsPath = fsPath;
    this.scheme = scheme;
  }
  toString() {
    return this.scheme === 'file' ? `file://${this.fsPath}` : this.fsPath;
  }
  static file(p) {
    return new Uri(p);
  }
  static parse(s) {
    return new Uri(s, s.split(':')[0]);
  }
  static joinPath(base, ...parts) {
    return new Uri(path.join(base.fsPath, ...parts));
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}
class Range {
  constructor(sl, sc, el, ec) {
    this.start = new Position(sl, sc);
    this.end = new Position(el, ec);
  }
}
const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };
class Diagnostic {
  constructor(range, message, severity) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}
const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
class TreeItem {
  constructor(label, collapsibleState) {
    this.label = label;
    this.collapsibleState = collapsibleState;
  }
}
class ThemeIcon {
  constructor(id) {
    this.id = id;
  }
}

const state = {
  commands: new Map(),
  diagnostics: new Map(),
  output: [],
  messages: [],
  inputBoxes: [],
  answers: [],
  opened: [],
  trees: new Map(),
  folders: [],
  documents: [],
  config: {},
};
const events = {
  open: new EventEmitter(),
  change: new EventEmitter(),
  close: new EventEmitter(),
  save: new EventEmitter(),
};

class TextDocument {
  constructor(fileName, text) {
    this.fileName = fileName;
    this.uri = Uri.file(fileName);
    this.text = text;
    this.isClosed = false;
  }
  getText() {
    return this.text;
  }
}

const vscode = {
  EventEmitter,
  Uri,
  Position,
  Range,
  Diagnostic,
  DiagnosticSeverity,
  TreeItem,
  TreeItemCollapsibleState,
  ThemeIcon,
  languages: {
    createDiagnosticCollection(name) {
      return {
        name,
        set(uri, list) {
          state.diagnostics.set(uri.toString(), list);
        },
        delete(uri) {
          state.diagnostics.delete(uri.toString());
        },
        dispose() {},
      };
    },
  },
  window: {
    createOutputChannel(name) {
      return {
        name,
        append: (s) => state.output.push(s),
        appendLine: (s) => state.output.push(`${s}\n`),
        show() {},
        dispose() {},
      };
    },
    registerTreeDataProvider(id, provider) {
      state.trees.set(id, provider);
      return { dispose() {} };
    },
    showInformationMessage: async (m) => void state.messages.push(['info', m]),
    showWarningMessage: async (m) => void state.messages.push(['warning', m]),
    showErrorMessage: async (m) => void state.messages.push(['error', m]),
    showInputBox: async (options) => {
      state.inputBoxes.push(options);
      return state.answers.shift();
    },
  },
  workspace: {
    get workspaceFolders() {
      return state.folders.map((f, index) => ({ uri: Uri.file(f), name: path.basename(f), index }));
    },
    get textDocuments() {
      return state.documents;
    },
    getConfiguration() {
      return { get: (key, dflt) => state.config[key] ?? dflt };
    },
    fs: {
      stat: async (uri) => {
        const s = fs.statSync(uri.fsPath);
        return { size: s.size };
      },
    },
    onDidOpenTextDocument: events.open.event,
    onDidChangeTextDocument: events.change.event,
    onDidCloseTextDocument: events.close.event,
    onDidSaveTextDocument: events.save.event,
  },
  commands: {
    registerCommand(id, fn) {
      state.commands.set(id, fn);
      return { dispose: () => state.commands.delete(id) };
    },
    executeCommand: (id, ...args) => state.commands.get(id)(...args),
  },
  env: {
    openExternal: async (uri) => {
      state.opened.push(uri.toString());
      return true;
    },
  },
  __test: {
    state,
    open(fileName, text) {
      const doc = new TextDocument(fileName, text);
      state.documents.push(doc);
      events.open.fire(doc);
      return doc;
    },
    edit(doc, text) {
      doc.text = text;
      events.change.fire({ document: doc, contentChanges: [] });
    },
    close(doc) {
      doc.isClosed = true;
      state.documents = state.documents.filter((d) => d !== doc);
      events.close.fire(doc);
    },
    save(doc) {
      events.save.fire(doc);
    },
  },
};

module.exports = vscode;
