// Pointer input and sizing of a timeline canvas, shared by the timeline and the Compare page:
// the wheel zooms about the pointer (shift or a sideways wheel pans), a drag pans, a click that
// did not move picks, a double-click fits.

export interface CanvasHandlers {
  zoom(x: number, factor: number): void;
  pan(dx: number, dy: number): void;
  hover(x: number, y: number): void;
  leave(): void;
  click?(x: number, y: number): void;
  fit(): void;
}

export function bindCanvasInput(canvas: HTMLCanvasElement, on: CanvasHandlers): void {
  const local = (e: MouseEvent) => {
    const r = canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) on.pan(-(e.deltaX || e.deltaY), 0);
    // Pinch arrives as ctrl+wheel with small deltas; give it a stronger response.
    else on.zoom(local(e).x, Math.exp(-e.deltaY * (e.ctrlKey ? 0.01 : 0.0015)));
  }, { passive: false });

  let drag: { x: number; y: number; moved: boolean } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    drag = { ...local(e), moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    const p = local(e);
    if (drag) {
      const dx = p.x - drag.x;
      const dy = p.y - drag.y;
      if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
        drag = { ...p, moved: true };
        on.pan(dx, dy);
        return;
      }
    }
    on.hover(p.x, p.y);
  });
  canvas.addEventListener('pointerup', (e) => {
    if (drag && !drag.moved) on.click?.(drag.x, drag.y);
    drag = undefined;
    canvas.releasePointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointerleave', () => on.leave());
  canvas.addEventListener('dblclick', () => on.fit());
}

/** A function that runs `draw` on the next animation frame, once however often it is called before. */
export function frameScheduler(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}

/** Sizes the canvas to its box in CSS pixels, with a backing store at the device's pixel ratio. */
export function fitCanvas(canvas: HTMLCanvasElement, box: HTMLElement): { w: number; h: number } {
  const r = box.getBoundingClientRect();
  const size = { w: Math.max(1, Math.floor(r.width)), h: Math.max(1, Math.floor(r.height)) };
  canvas.width = size.w * devicePixelRatio;
  canvas.height = size.h * devicePixelRatio;
  canvas.style.width = `${size.w}px`;
  canvas.style.height = `${size.h}px`;
  return size;
}

/** Shows `text` in the tooltip below and right of (x, y), kept inside `width`. */
export function placeTooltip(tooltip: HTMLElement, text: string, x: number, y: number, width: number): void {
  tooltip.hidden = false;
  tooltip.textContent = text;
  tooltip.style.left = `${Math.max(0, Math.min(x + 14, width - tooltip.offsetWidth - 4))}px`;
  tooltip.style.top = `${y + 16}px`;
}
