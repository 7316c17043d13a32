import { describe, expect, it } from 'vitest';
import { gestureClasses, MOVING_CLASS, PANNING_CLASS, TEXTLESS_ZOOM_ABOVE_BOXES, ZOOMING_CLASS } from './gesture-classes';

describe('gestureClasses', () => {
  it('zooms a large map text-less and without the layer, a small one with its text on the layer', () => {
    expect(gestureClasses('wheel', TEXTLESS_ZOOM_ABOVE_BOXES + 1)).toEqual([ZOOMING_CLASS]);
    expect(gestureClasses('wheel', TEXTLESS_ZOOM_ABOVE_BOXES)).toEqual([MOVING_CLASS]);
    expect(gestureClasses('wheel', 4)).toEqual([MOVING_CLASS]);
  });

  it('takes pointer events from the boxes during a drag, whatever the size of the map', () => {
    expect(gestureClasses('mousedown', 4)).toEqual([MOVING_CLASS, PANNING_CLASS]);
    expect(gestureClasses('pointerdown', 5_000)).toEqual([MOVING_CLASS, PANNING_CLASS]);
  });
});
