export * from './resolver';
export * from './template';
export * from './validate';
export * from './runner';
export * from './item-reader';
