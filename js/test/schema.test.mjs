// The JSON Schema shipped for editors (`@secretzero/agent/secretfile.schema.json`, what
// `# yaml-language-server: $schema=...` points at), checked with a real JSON Schema validator
// (ajv, draft 2020-12) against every Secretfile we have: the quickstart and the 100+ fixtures.
//
// The schema and the core must agree where the schema can tell:
// - a Secretfile the core reads without any diagnostic passes the schema (no false alarms in
//   the editor);
// - a Secretfile the schema rejects has at least one core diagnostic (error or warning);
// - a Secretfile with a wrong type or a missing required field (the core's WRONG_TYPE /
//   MISSING_FIELD errors on keys the schema describes) is rejected by the schema too.
// YAML is read as YAML 1.1 (like PyYAML and the core: `yes` is true).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, test } from 'node:test';

import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';

import { cli, consumer, installed, loadEsm, quickstart, root } from './helpers.mjs';

const require = createRequire(path.join(consumer, 'cjs.cjs'));
const schema = require('@secretzero/agent/secretfile.schema.json');
const api = await loadEsm();

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
// Editor-only annotations (VS Code / YAML language server show them in completion lists).
ajv.addKeyword('enumDescriptions');
const validate = ajv.compile(schema);

function load(file) {
  const text = fs.readFileSync(file, 'utf8');
  let data;
  try {
    data = parseYaml(text, { version: '1.1', uniqueKeys: false, merge: true, maxAliasCount: -1 });
  } catch {
    data = undefined; // not YAML at all: nothing for the schema to say
  }
  return { text, data };
}

function schemaErrors(data) {
  return validate(data) ? [] : validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`);
}

// The one place where the schema is deliberately stricter than the core: like the reference
// (pydantic), the core reads `local: "yes"` / `local: 1` as true; the schema asks editors for a
// real boolean.
const COERCED_FLAGS = /^\/secrets\/\d+\/(local|local_allow_cloud|one_time) must be boolean$/;

const fixtureDir = path.join(root, 'tests/fixtures');
const files = [
  path.join(quickstart, 'Secretfile.yml'),
  ...fs
    .readdirSync(fixtureDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(fixtureDir, d.name, 'Secretfile.yml'))
    .filter((f) => fs.existsSync(f)),
];

describe('secretfile.schema.json', () => {
  test('is the file the core embeds and `secretzero schema` prints', () => {
    assert.deepEqual(api.secretfileSchema(), schema);
    const r = cli(['schema']);
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout), schema);
    assert.equal(
      fs.readFileSync(path.join(installed, 'secretfile.schema.json'), 'utf8'),
      fs.readFileSync(path.join(root, 'secretfile.schema.json'), 'utf8'),
    );
  });

  test('the quickstart passes', () => {
    const { data } = load(path.join(quickstart, 'Secretfile.yml'));
    assert.deepEqual(schemaErrors(data), []);
  });

  test(`agrees with the core on ${files.length} Secretfiles`, () => {
    let clean = 0;
    let rejected = 0;
    const problems = [];
    for (const file of files) {
      const name = path.relative(root, file);
      const { text, data } = load(file);
      if (data === undefined || data === null || typeof data !== 'object') continue;
      const core = api.validateSecretfile(text);
      const errs = schemaErrors(data).filter((e) => !COERCED_FLAGS.test(e));
      if (core.diagnostics.length === 0) {
        clean += 1;
        if (errs.length) problems.push(`${name}: clean for the core, rejected by the schema: ${errs.join('; ')}`);
      }
      if (errs.length) {
        rejected += 1;
        if (core.diagnostics.length === 0) continue;
      }
      // Type and required-field errors the schema describes must be caught by it.
      const typed = core.diagnostics.filter(
        (d) =>
          d.severity === 'error' &&
          (d.code === 'WRONG_TYPE' || d.code === 'MISSING_FIELD') &&
          d.path &&
          /^(secrets\[\d+\]\.(name|kind|targets|agent_instructions(\.(summary|steps))?|config\.(length|upper|lower|number|special|exclude_characters))|agent\.)/.test(
            d.path,
          ),
      );
      if (typed.length && !errs.length) {
        problems.push(`${name}: core errors ${typed.map((d) => `${d.code} at ${d.path}`).join(', ')} but the schema accepts it`);
      }
    }
    assert.deepEqual(problems, []);
    // The corpus has both kinds, so the two properties above were exercised.
    assert.ok(clean >= 20, `only ${clean} clean Secretfiles`);
    assert.ok(rejected >= 5, `only ${rejected} rejected Secretfiles`);
  });

  test('rejects what editors should flag, with the path of the problem', () => {
    const cases = [
      ['agent:\n  mode: robot\n', '/agent/mode'],
      ['agent:\n  web_port_min: 80\n', '/agent/web_port_min'],
      ['secrets:\n  - name: a\n', '/secrets/0'],
      ['secrets:\n  - name: a\n    kind: random_pasword\n', '/secrets/0/kind'],
      ['secrets:\n  - name: a\n    kind: random_password\n    config: {length: "24"}\n', '/secrets/0/config/length'],
      ['secrets:\n  - name: a\n    kind: random_password\n    config: {special: "false"}\n', '/secrets/0/config/special'],
      ['secrets:\n  - name: a\n    kind: random_string\n    config: {charset: base64}\n', '/secrets/0/config/charset'],
      [
        'secrets:\n  - name: a\n    kind: uuid\n    targets:\n      - {provider: local, kind: file, config: {format: ini}}\n',
        '/secrets/0/targets/0/config/format',
      ],
      [
        'secrets:\n  - name: a\n    kind: uuid\n    targets:\n      - {provider: local, kind: template, config: {output_path: o}}\n',
        '/secrets/0/targets/0/config',
      ],
      ['secrets:\n  - name: a\n    kind: static\n    agent_instructions: {summary: s}\n', '/secrets/0/agent_instructions'],
    ];
    for (const [yaml, where] of cases) {
      const errs = schemaErrors(parseYaml(yaml, { version: '1.1' }));
      assert.ok(
        errs.some((e) => e.startsWith(`${where} `)),
        `${JSON.stringify(yaml)}: expected an error at ${where}, got ${JSON.stringify(errs)}`,
      );
      // ... and the core reports a problem there too.
      assert.ok(api.validateSecretfile(yaml).diagnostics.length > 0, JSON.stringify(yaml));
    }
    const accepted = [
      'secrets:\n  - name: a\n    kind: templates.db\ntemplates:\n  db: {fields: {}}\n',
      'secrets:\n  - name: a\n    kind: uuid\n    targets:\n      - {provider: local, kind: file, config: {path: x.yml, format: " YAML "}}\n',
      'secrets:\n  - name: a\n    kind: uuid\n    targets:\n      - {provider: aws, kind: ssm_parameter, config: {format: anything}}\n',
    ];
    for (const yaml of accepted) assert.deepEqual(schemaErrors(parseYaml(yaml, { version: '1.1' })), [], yaml);
  });

  test('describes the values editors complete', () => {
    const kinds = schema.$defs.Secret.properties.kind.anyOf[0];
    assert.ok(kinds.enum.includes('random_password') && kinds.enum.length === kinds.enumDescriptions.length);
    const modes = schema.$defs.AgentMode.oneOf.map((v) => v.const);
    assert.deepEqual(modes, ['auto', 'human', 'web']);
    const file = schema.$defs.Target.allOf.find((r) => r.if.properties.kind?.const === 'file');
    assert.deepEqual(file.then.properties.config.properties.format.anyOf[0].enum, [
      'dotenv',
      'json',
      'yaml',
      'toml',
      'tfvars',
    ]);
  });
});

// What an editor shows: the YAML language server (the engine of the VS Code YAML extension and
// of most editors' YAML support) with the shipped schema, asked for completions and checks.
describe('secretfile.schema.json in the YAML language server', () => {
  const yls = require('yaml-language-server/lib/umd/languageservice/yamlLanguageService');
  const { TextDocument } = require('vscode-languageserver-textdocument');
  const schemaText = JSON.stringify(schema);
  const service = yls.getLanguageService({
    schemaRequestService: async () => schemaText,
    workspaceContext: { resolveRelativePath: (p, r) => new URL(p, r).toString() },
  });
  service.configure({
    validate: true,
    completion: true,
    hover: true,
    schemas: [{ uri: 'file:///secretfile.schema.json', fileMatch: ['Secretfile*.yml'] }],
  });
  let n = 0;
  // Each document gets its own URI: the service caches parsed documents by URI and version.
  const doc = (text) => TextDocument.create(`file:///p${(n += 1)}/Secretfile.yml`, 'yaml', 1, text);
  async function complete(withCursor) {
    const at = withCursor.indexOf('|');
    const d = doc(withCursor.replace('|', ''));
    const list = await service.doComplete(d, d.positionAt(at), false);
    return list.items.map((i) => i.label);
  }

  test('completes keys and values from the model and the per-kind rules', async () => {
    const cases = [
      ['|\n', ['secrets', 'variables', 'agent', 'templates']],
      ['secrets:\n  - name: a\n    kind: |\n', ['random_password', 'random_string', 'uuid', 'static', 'script']],
      ['secrets:\n  - name: a\n    kind: random_password\n    config:\n      |\n', ['length', 'upper', 'lower', 'number', 'special', 'exclude_characters']],
      ['secrets:\n  - name: a\n    kind: random_string\n    config:\n      charset: |\n', ['alphanumeric', 'alpha', 'numeric', 'hex']],
      ['secrets:\n  - name: a\n    kind: static\n    config:\n      |\n', ['default', 'value', 'validation', 'prompt_on_empty']],
      [
        'secrets:\n  - name: a\n    kind: uuid\n    targets:\n      - provider: local\n        kind: file\n        config:\n          |\n',
        ['path', 'format', 'key', 'merge'],
      ],
      [
        'secrets:\n  - name: a\n    kind: uuid\n    targets:\n      - provider: local\n        kind: file\n        config:\n          format: |\n',
        ['dotenv', 'json', 'yaml', 'toml', 'tfvars'],
      ],
      ['secrets:\n  - name: a\n    kind: static\n    agent_instructions:\n      |\n', ['summary', 'steps', 'prerequisites', 'estimated_time', 'documentation_url', 'automation_level']],
      ['agent:\n  mode: |\n', ['auto', 'human', 'web']],
    ];
    for (const [text, expected] of cases) {
      const labels = await complete(text);
      for (const e of expected) assert.ok(labels.includes(e), `${JSON.stringify(text)}: ${e} not in ${JSON.stringify(labels)}`);
    }
  });

  test('flags what the core rejects, on the right line', async () => {
    const text = 'secrets:\n  - name: a\n    kind: random_password\n    config: {length: "24"}\nagent: {mode: robot}\n';
    const found = (await service.doValidation(doc(text), false)).map((d) => d.range.start.line).sort();
    assert.deepEqual(found, [3, 4]);
    const quick = fs.readFileSync(path.join(quickstart, 'Secretfile.yml'), 'utf8');
    assert.deepEqual(await service.doValidation(doc(quick), false), []);
  });
});
