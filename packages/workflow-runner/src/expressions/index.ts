export * from './data.ts';
export * from './evaluate.ts';
export * from './template.ts';
