/**
 * `npm run dist -- --kubectl DIR [electron-builder options]`: builds the app, checks and stages
 * a kubectl for each target platform from DIR (scripts/packaging/kubectl-folder.ts: DIR/<os>-<arch>/
 * kubectl and DIR/SHA256SUMS), then packages with electron-builder (electron-builder.yml: fuses,
 * what goes into app.asar and what stays unpacked). Nothing is downloaded for the kubectls.
 * Targets: --linux, --win, --mac (default: this platform), --x64, --arm64 (default: this arch);
 * every other option goes to electron-builder as it is.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { distTargets, KubectlFolderError, stageKubectls } from './packaging/kubectl-folder';

/** Where the checked kubectls wait for electron-builder (extraResources: .tmp/dist-kubectl/${os}-${arch} -> bin). */
const KUBECTL_STAGE = '.tmp/dist-kubectl';

function run(command: string, args: string[]): void {
  const result = spawnSync(process.execPath, [command, ...args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--kubectl');
  const kubectlDir = at === -1 ? undefined : args[at + 1];
  if (kubectlDir === undefined) {
    console.error(
      'npm run dist needs --kubectl DIR: a folder with <os>-<arch>/kubectl for each platform built (linux-x64, win-x64, mac-arm64...) and a SHA256SUMS of them. The packaged app never downloads kubectl, so it ships one.',
    );
    process.exit(2);
  }
  const builderArgs = args.filter((_, index) => index !== at && index !== at + 1);
  const targets = distTargets(builderArgs);
  try {
    const staged = await stageKubectls(resolve(kubectlDir), resolve(KUBECTL_STAGE), targets);
    console.log(
      `kubectl for ${targets.map((target) => `${target.os}-${target.arch}`).join(', ')}: ${staged.join(', ')} (checked against SHA256SUMS)`,
    );
  } catch (error) {
    console.error(error instanceof KubectlFolderError ? error.message : String(error));
    process.exit(1);
  }
  run('node_modules/electron-vite/bin/electron-vite.js', ['build']);
  run('node_modules/electron-builder/cli.js', ['--config', 'electron-builder.yml', ...builderArgs]);
}

await main();
