import { describe, expect, it } from 'vitest';
import { defaultLabPlan } from '../contract/labs';
import { argumentSchemas } from './index';

describe('labs argument schemas', () => {
  it('accepts the default plan and a scale request', () => {
    expect(argumentSchemas.labs.create.safeParse([defaultLabPlan('host-1')]).success).toBe(true);
    expect(argumentSchemas.labs.scale.safeParse(['lab1', { linuxWorkers: 3, windowsWorkers: 0, drainTimeoutSeconds: 60 }]).success).toBe(
      true,
    );
  });

  it('refuses unknown fields, wrong enums and a control-plane count other than 1 or 3', () => {
    const plan = defaultLabPlan('host-1');
    expect(argumentSchemas.labs.create.safeParse([{ ...plan, extra: true }]).success).toBe(false);
    expect(argumentSchemas.labs.create.safeParse([{ ...plan, driver: 'vmware' }]).success).toBe(false);
    expect(argumentSchemas.labs.create.safeParse([{ ...plan, controlPlaneCount: 2 }]).success).toBe(false);
    expect(argumentSchemas.labs.logs.safeParse(['lab1', { limit: 10_000 }]).success).toBe(false);
  });
});
