import { afterAll, beforeAll } from 'vitest';
import type { HostSummary } from '../../shared/contract/hosts';
import type { LabPlan, PlannedStep } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { LabsService } from './labs-service';
import { tempDir } from '../../../tests/harness/temp-dir';

/**
 * A LabsService for dry runs, created before the file's tests and disposed after them: hosts come
 * from `getHost`, and anything that would reach a machine or the cluster fails the test.
 */
export function useDryRunLabs(getHost: (id: string) => Promise<HostSummary>) {
  const nothing = () => Promise.reject(new AppError('INTERNAL', 'a dry run must not reach a machine or the cluster'));
  let service: LabsService;
  beforeAll(async () => {
    service = new LabsService({
      dataDir: await tempDir('dry-run'),
      hosts: { get: getHost, probe: nothing, run: nothing, runAsRoot: nothing, connection: nothing },
      clusters: { importKubeconfig: nothing, remove: nothing, contextNames: nothing, requestAs: nothing },
    });
  });
  afterAll(() => {
    service.dispose();
  });
  return {
    service: () => service,
    /** The planned steps of `plan`; throws with the problems when the plan is refused. */
    steps: async (plan: LabPlan): Promise<PlannedStep[]> => {
      const result = await service.dryRun(plan);
      if (result.status !== 'ok') throw new Error(JSON.stringify(result.problems));
      return result.steps;
    },
  };
}
