// The Identities page's DOM: a sorted screen-time bar chart, then one lane per identity with its
// face, name, seconds, its tracks on the episode's axis, and the Name / Merge / Split edits.
import { identityColour } from './identity-colours';
import type { IdentitiesSnapshot, IdentitiesPageMessage } from './identities-protocol';

export interface IdentitiesView {
  show(s: IdentitiesSnapshot | undefined, note?: string): void;
  stats(): { identities: number; bars: number; lanes: number; tracks: number; names: string[]; thumbnails: number };
}

export function createIdentitiesView(root: HTMLElement, post: (m: IdentitiesPageMessage) => void): IdentitiesView {
  let snapshot: IdentitiesSnapshot | undefined;
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, unknown> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] => {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...kids);
    return e;
  };
  const selected = new Set<number>();

  function render(note?: string): void {
    root.replaceChildren();
    const s = snapshot;
    if (!s) {
      root.append(el('p', { className: 'muted', id: 'empty' }, note ?? 'No identities yet: run the episode with identity.enabled (or --identities).'));
      return;
    }
    const byTime = [...s.identities].sort((a, b) => b.visual_s - a.visual_s || a.identity_id - b.identity_id);
    const max = Math.max(1e-9, ...byTime.map((i) => i.visual_s));
    const chart = el('section', { id: 'chart', ariaLabel: 'Screen time per person' }, el('h2', {}, 'Screen time'));
    for (const i of byTime) {
      const bar = el('div', { className: 'bar' });
      bar.style.width = `${(100 * i.visual_s) / max}%`;
      bar.style.background = identityColour(i.identity_id);
      chart.append(el('div', { className: 'bar-row', title: `${i.name}: ${i.visual_s.toFixed(1)} s, ${(100 * i.share).toFixed(1)}% of the episode, ${i.appearances} scenes` },
        el('span', { className: 'bar-name' }, i.name), el('div', { className: 'bar-track' }, bar), el('span', { className: 'num' }, `${i.visual_s.toFixed(1)} s`)));
    }
    const merge = el('button', { id: 'merge', disabled: selected.size !== 2, title: 'The two ticked identities are one person' }, 'Merge selected');
    merge.addEventListener('click', () => {
      const [a, b] = [...selected];
      post({ type: 'merge', identityIds: [a, b] });
      selected.clear();
    });
    const lanes = el('section', { id: 'lanes', ariaLabel: 'Identities' }, el('h2', {}, `People (${s.identities.length}; ${s.unassigned} tracks unassigned)`), merge);
    for (const i of s.identities) {
      const colour = identityColour(i.identity_id);
      const pick = el('input', { type: 'checkbox', checked: selected.has(i.identity_id), title: 'Select for Merge' });
      pick.addEventListener('change', () => {
        if (pick.checked) selected.add(i.identity_id);
        else selected.delete(i.identity_id);
        merge.disabled = selected.size !== 2;
      });
      const face = i.thumbnail ? el('img', { className: 'face', src: i.thumbnail, alt: `face of ${i.name}` }) : el('div', { className: 'face none' }, '?');
      face.style.borderColor = colour;
      const nameInput = el('input', { type: 'text', className: 'name-input', placeholder: i.named ? i.name : 'Name…', ariaLabel: `Name for ${i.name}` });
      const nameButton = el('button', { className: 'name', disabled: i.crops === 0, title: i.crops ? `Save ${i.crops} crops into ${s.castDir}/<name>/; the next run names this person` : 'No crops: run with export.crops to name from here' }, 'Name');
      const submit = () => {
        const name = nameInput.value.trim();
        if (name) post({ type: 'name', identityId: i.identity_id, name });
      };
      nameButton.addEventListener('click', submit);
      nameInput.addEventListener('keydown', (e) => e.key === 'Enter' && submit());
      const lane = el('div', { className: 'lane' });
      for (const t of i.tracks) {
        const seg = el('button', { className: 'seg', title: `track ${t.id}: frames ${t.first}–${t.last}${i.tracks.length > 1 ? ' (click to split it off)' : ''}` });
        seg.style.left = `${(100 * t.first) / Math.max(1, s.frames)}%`;
        seg.style.width = `${Math.max(0.3, (100 * (t.last - t.first + 1)) / Math.max(1, s.frames))}%`;
        seg.style.background = colour;
        seg.dataset.track = String(t.id);
        seg.disabled = i.tracks.length < 2;
        seg.addEventListener('click', () => post({ type: 'split', identityId: i.identity_id, trackId: t.id }));
        lane.append(seg);
      }
      lanes.append(el('div', { className: 'person', id: `identity-${i.identity_id}` },
        pick, face,
        el('div', { className: 'who' }, el('span', { className: i.named ? 'person-name named' : 'person-name' }, i.name), el('span', { className: 'muted' }, `${i.visual_s.toFixed(1)} s · ${i.tracks.length} tracks`)),
        lane, nameInput, nameButton));
    }
    root.append(chart, lanes, el('p', { className: 'muted', id: 'note' }, note ?? `Merges and splits go to ${s.labelsFile}; names to ${s.castDir}. Run again to apply them.`));
  }

  return {
    show(s, note) {
      snapshot = s;
      selected.clear();
      render(note);
    },
    stats() {
      return {
        identities: snapshot?.identities.length ?? 0,
        bars: root.querySelectorAll('.bar').length,
        lanes: root.querySelectorAll('.lane').length,
        tracks: root.querySelectorAll('.seg').length,
        names: [...root.querySelectorAll('.person-name')].map((e) => e.textContent ?? ''),
        thumbnails: root.querySelectorAll('img.face').length,
      };
    },
  };
}
