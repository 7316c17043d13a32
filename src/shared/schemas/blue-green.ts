/** Argument shapes of the blue/green domain. */
import { z } from 'zod';
import type { BlueGreenSide, CreateGreenRequest } from '../contract/blue-green';
import { labNameSchema } from './labs';

export const blueGreenSideSchema: z.ZodType<BlueGreenSide> = z.enum(['blue', 'green']);

export const createGreenRequestSchema: z.ZodType<CreateGreenRequest> = z.strictObject({
  blue: labNameSchema,
  // A lab name at most 40 characters long, as the plan's rules say (the labs service names the problem otherwise).
  green: labNameSchema,
  kubernetesVersion: z.string().min(1).max(32),
});
