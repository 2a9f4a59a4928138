// placeholder until the demo lands
export {};
