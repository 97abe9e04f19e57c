export * from './training-pipeline';
export * from './training-backend';
export * from './training-image';
export * from './training-policies';
