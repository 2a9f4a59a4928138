// One colour per person, the same on the Identities page and in the timeline: a fixed palette
// of distinct hues, by identity id.
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];

export const identityColour = (identityId: number): string => PALETTE[(identityId - 1 + PALETTE.length) % PALETTE.length];
