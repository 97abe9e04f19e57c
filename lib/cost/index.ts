export type { CostLine } from './cost-line';
export * from './prices';
export * from './platform-cost';
export { chooseFrontEnd, frontEndCosts } from './front-end';
export type { FrontEndCosts } from './front-end';
export { servingDemand } from './serving-demand';
export type { ServingDemand } from './serving-demand';
export { billMarkdown, summaryMarkdown, frontEndOptionsMarkdown } from './render';
