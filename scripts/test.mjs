#!/usr/bin/env node
// `npm test`: the whole suite, as CI runs it. Provisions what the tests need (apt packages,
// the Kubernetes control-plane binaries), then runs the gates (lint, format, typecheck) and
// the three tiers (unit, integration, end-to-end), and ends with one line:
// "N passed, N failed" (vitest test cases plus one per gate).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { provisionTestDeps } from './provision-test-deps.mjs';

const resultsDir = 'test-results';
mkdirSync(resultsDir, { recursive: true });
const totals = { passed: 0, failed: 0 };
const summary = [];
// Each failed test's file, name and first line of its message, printed again at the end: CI keeps
// only the last lines of the output, and the counts alone do not say what failed.
const failures = [];

function step(title) {
  console.log(`\n=== ${title}`);
}

function gate(title, command, args) {
  step(title);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const ok = result.status === 0;
  totals[ok ? 'passed' : 'failed'] += 1;
  summary.push(`${ok ? 'ok  ' : 'FAIL'} ${title}`);
  return ok;
}

function vitestTier(project) {
  step(`${project} tests`);
  const report = join(resultsDir, `vitest-${project}.json`);
  const result = spawnSync(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    { stdio: 'inherit' },
  );
  let passed = 0;
  let failed = 0;
  if (existsSync(report)) {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed = json.numPassedTests ?? 0;
    // Failed tests, plus each file that failed without a failed test (a hook or import error);
    // numFailedTestSuites counts describe blocks too, so a failed test was counted twice or more.
    failed = json.numFailedTests ?? 0;
    for (const file of json.testResults ?? []) {
      const failedTests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
      for (const test of failedTests) failures.push(failureLine(project, file.name, test.fullName, test.failureMessages?.[0]));
      if (file.status === 'failed' && failedTests.length === 0) {
        failed += 1;
        failures.push(failureLine(project, file.name, '(the file itself)', file.message));
      }
    }
  }
  // A crash or a failed file with no counted test still counts as a failure.
  if (result.status !== 0 && failed === 0) failed = 1;
  totals.passed += passed;
  totals.failed += failed;
  summary.push(`${failed === 0 ? 'ok  ' : 'FAIL'} ${project}: ${passed} passed, ${failed} failed`);
}

function failureLine(project, file, name, message) {
  // eslint-disable-next-line no-control-regex
  const plain = String(message ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  const first = plain.split('\n').find((line) => line.trim() !== '') ?? '';
  const where = file ? file.replace(`${process.cwd()}/`, '') : '?';
  return `  ${project}: ${where} > ${name}\n      ${first.trim().slice(0, 300)}`;
}

step('Provisioning test dependencies');
try {
  provisionTestDeps();
  if (existsSync('scripts/test-cluster/provision.sh')) {
    const provision = spawnSync('bash', ['scripts/test-cluster/provision.sh'], { stdio: 'inherit' });
    if (provision.status !== 0) throw new Error('The Kubernetes control-plane binaries could not be provisioned (see above).');
  }
  // The real-VM tier: kubelet, kubeadm, kube-proxy and kubectl for the guests, the guest image, and
  // the node images (control plane, kube-proxy, etcd, pause) and CNI plugins for the offline bundle.
  const realVms = [
    ['scripts/test-cluster/provision.sh', ['--node'], 'The Kubernetes node binaries'],
    ['scripts/real-vms/guest-image.sh', [], 'The real-VM guest image'],
    ['scripts/real-vms/node-images.sh', [], 'The real-VM node images'],
  ];
  for (const [script, args, what] of realVms) {
    const built = spawnSync('bash', [script, ...args], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error(`${what} could not be provisioned (see above).`);
  }
  totals.passed += 1;
  summary.push('ok   provisioning');
} catch (error) {
  console.error(`\n${error.message}`);
  totals.failed += 1;
  summary.push('FAIL provisioning');
}

const npx = (bin) => [process.execPath, [join('node_modules', bin)]];
const [node, eslint] = npx('eslint/bin/eslint.js');
gate('lint', node, [eslint, '--max-warnings=0', '.']);
gate('format', node, ['node_modules/prettier/bin/prettier.cjs', '--check', '.']);
gate('typecheck (node)', node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.node.json', '--noEmit']);
gate('typecheck (web)', node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.web.json', '--noEmit']);
for (const project of ['unit', 'integration', 'real-vms', 'e2e']) vitestTier(project);

console.log('\n=== Summary');
for (const line of summary) console.log(line);
if (failures.length > 0) {
  console.log('Failed:');
  for (const line of failures) console.log(line);
}
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 ? 0 : 1);
