import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNonProductionFile } from './util.js';

test('isNonProductionFile: tests, fixtures, seeds, scripts and test-support packages; not files merely named like them (traps)', () => {
  for (const file of ['test/app.e2e-spec.ts', 'src/users/users.spec.ts', 'tests/fixtures/user.fixture.js', 'libs/testing/src/user.session.ts', 'prisma/seed.ts', 'scripts/backfill.ts', 'src/__mocks__/stripe.ts', 'app/tests/test_views.py']) {
    assert.equal(isNonProductionFile(file), true, file);
  }
  for (const file of ['src/latest.ts', 'src/contest/contest.service.ts', 'src/experiments/ab-testing.service.ts', 'src/seedling.ts', 'apps/api/src/main.ts', 'src/testimonials/testimonials.controller.ts']) {
    assert.equal(isNonProductionFile(file), false, file);
  }
});
