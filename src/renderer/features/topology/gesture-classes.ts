/**
 * Classes set on the map during a gesture (DOM classes, no React render), measured with
 * bench/topology-scale.ts on the 2-core machine (software compositing):
 * - MOVING: the whole map (React Flow's viewport) gets a compositor layer, so a pan moves its
 *   raster instead of re-rastering boxes and thousands of edge segments each frame. Not at
 *   rest: a layer there makes boxes layers of their own and each live update a re-layering.
 *   It stays SETTLE_MS after a gesture ends, because each toggle re-rasters the whole map and a
 *   wheel zoom is a run of short gestures (toggled per notch: 789 raster tasks in 30 notches,
 *   385 with the delay).
 * - ZOOMING (wheel, maps of more than TEXTLESS_ZOOM_ABOVE_BOXES boxes): boxes without text, as
 *   when zoomed out (TEXT_FROM_ZOOM). Zooming in re-rasters at each notch and text was most of
 *   that raster: the slow frames of 30 wheel notches at 200 boxes went from 10-20 to 3-5. Text
 *   comes back SETTLE_MS after the last notch. A small map keeps its text: it rasters quickly,
 *   and blanking it at every notch would only flicker.
 * - PANNING (drag): boxes take no pointer events, so a drag's mouse moves skip hit-testing 200
 *   boxes. Removed as soon as the drag ends, so a click right after lands on its box.
 */
export const MOVING_CLASS = 'topology-moving';
export const ZOOMING_CLASS = 'topology-zooming';
export const PANNING_CLASS = 'topology-panning';
export const SETTLE_MS = 400;
export const TEXTLESS_ZOOM_ABOVE_BOXES = 150;

/** The classes a gesture sets on the map (see above). */
export function gestureClasses(eventType: string, boxCount: number): string[] {
  if (eventType !== 'wheel') return [MOVING_CLASS, PANNING_CLASS];
  return boxCount > TEXTLESS_ZOOM_ABOVE_BOXES ? [MOVING_CLASS, ZOOMING_CLASS] : [MOVING_CLASS];
}
