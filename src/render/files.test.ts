import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureModel } from '../../test/render/fixture-model.js';
import { notReadPhrase } from './files.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

test('notReadPhrase: by reason, largest first, singular for one; empty when nothing was skipped', () => {
  assert.equal(notReadPhrase({ files: 10, parsed: 8, skipped: 3, skippedBy: { 'skipped-generated': 1, 'skipped-test': 2 } }), '2 test files, 1 generated or minified file');
  assert.equal(notReadPhrase({ files: 10, parsed: 10, skipped: 0 }), '');
  assert.equal(notReadPhrase(undefined), '');
});

test('the terminal header and the dossier say what was not read', () => {
  const model = { ...fixtureModel(), stats: { files: 40, parsed: 38, skipped: 12, skippedBy: { 'skipped-test': 11, 'skipped-large': 1 } } };
  assert.match(renderText(model).split('\n')[0], /— 38 files parsed; not read: 11 test files, 1 file over the size cap$/);
  assert.match(renderMarkdown(model), /Files: 40 read, 38 parsed, 12 skipped \(11 test files, 1 file over the size cap\)\./);
  const quiet = { ...model, stats: { files: 40, parsed: 40, skipped: 0 } };
  assert.match(renderText(quiet).split('\n')[0], /— 40 files parsed$/);
});
